import { MemoryCircuitStore } from './circuit-breaker';
import { countsAsFailure, verdictOf } from './destination-guard';
import { ConnectorRequestError, PermanentError, RateLimitedError, RetryableError } from '../../core/errors/delivery.errors';

const settings = { failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 3_000, deadAfterMs: 10_000 };

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after the cool-down, doubles it on failure, closes on success', async () => {
    const store = new MemoryCircuitStore();
    expect(await store.record('k', 'failure', settings, 0, false)).toBeNull();
    expect(await store.record('k', 'failure', settings, 1, false)).toBeNull();
    expect(await store.admit('k', settings, 2, 500)).toEqual({ kind: 'go' });
    expect(await store.record('k', 'failure', settings, 2, false)).toBe('opened');
    expect(await store.admit('k', settings, 500, 500)).toEqual({ kind: 'wait', retryInMs: 502 });
    expect(await store.admit('k', settings, 1_002, 500)).toEqual({ kind: 'probe' });
    // One probe at a time: the others wait for its lease.
    expect(await store.admit('k', settings, 1_100, 500)).toEqual({ kind: 'wait', retryInMs: 402 });
    expect(await store.record('k', 'failure', settings, 1_200, true)).toBeNull();
    expect(await store.read('k')).toMatchObject({ state: 'open', cooldownMs: 2_000, nextProbeAt: 3_200, failures: 4 });
    expect(await store.admit('k', settings, 3_200, 500)).toEqual({ kind: 'probe' });
    expect(await store.record('k', 'failure', settings, 3_300, true)).toBeNull();
    expect(await store.read('k')).toMatchObject({ cooldownMs: 3_000, nextProbeAt: 6_300 });
    expect(await store.admit('k', settings, 6_300, 500)).toEqual({ kind: 'probe' });
    expect(await store.record('k', 'success', settings, 6_400, true)).toBe('closed');
    expect(await store.read('k')).toBeNull();
    expect(await store.admit('k', settings, 6_500, 500)).toEqual({ kind: 'go' });
  });

  it('resets the count on success, and dead-letters what waits once open longer than deadAfterMs', async () => {
    const store = new MemoryCircuitStore();
    await store.record('k', 'failure', settings, 0, false);
    await store.record('k', 'failure', settings, 0, false);
    await store.record('k', 'success', settings, 0, false);
    expect(await store.read('k')).toBeNull();
    for (let i = 0; i < 3; i++) await store.record('k', 'failure', settings, 0, false);
    await store.admit('k', settings, 1_000, 500); // probe; its instance dies without reporting
    expect(await store.admit('k', settings, 1_600, 500)).toEqual({ kind: 'probe' }); // the lost probe's turn passes on
    await store.record('k', 'failure', settings, 1_700, true);
    expect(await store.admit('k', settings, 3_000, 500)).toEqual({ kind: 'wait', retryInMs: 700 });
    expect(await store.admit('k', { ...settings, deadAfterMs: 2_000 }, 3_000, 500)).toEqual({ kind: 'dead', openedAt: 0 });
  });

  it.each([
    ['a timeout or connection error', new RetryableError('network error'), true],
    ['a 5xx', new ConnectorRequestError(503, 'down', { retryable: true }), true],
    ['a 429 without a window', new ConnectorRequestError(429, 'slow down', { retryable: true }), true],
    ['a 429 with Retry-After', new ConnectorRequestError(429, 'slow down', { retryable: true, retryAfterMs: 1000 }), false],
    ['a rate limit with a known window', new RateLimitedError('paused', { retryAfterMs: 10_000 }), false],
    ['a permanent rejection of one record', new PermanentError('400 bad email'), false],
  ])('%s counts: %s', (_, error, counts) => {
    expect(countsAsFailure(error)).toBe(counts);
  });

  it('judges a batch a failure only when every item failed countably', () => {
    const down = new RetryableError('down');
    expect(verdictOf([down, down])).toBe('failure');
    expect(verdictOf([down, undefined])).toBe('success');
    expect(verdictOf([down, new PermanentError('bad record')])).toBe('success');
  });
});
