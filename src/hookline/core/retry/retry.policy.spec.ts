import { backoffDelayMs, DEFAULT_RETRY, MAX_RETRY_AFTER_MS, nextRetryDelayMs, parseRetryAfter } from './retry.policy';

const retry = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000 };

describe('retry policy', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_000],
    [9, 1_000],
  ])('after %i attempts the backoff ceiling is %i ms (full jitter: anywhere below it)', (attempts, ceiling) => {
    expect(backoffDelayMs(attempts, retry, () => 0.999999)).toBe(ceiling - 1);
    expect(backoffDelayMs(attempts, retry, () => 0)).toBe(0);
  });

  it('stops when the error is permanent or the attempts are used up', () => {
    expect(nextRetryDelayMs({ retryable: false }, 1, retry)).toBeNull();
    expect(nextRetryDelayMs({ retryable: true }, 5, retry)).toBeNull();
    expect(nextRetryDelayMs({ retryable: true }, 4, retry)).not.toBeNull();
  });

  it('treats Retry-After as a floor, capped at a day', () => {
    expect(nextRetryDelayMs({ retryable: true, retryAfterMs: 5_000 }, 1, retry, () => 0.5)).toBe(5_000);
    expect(nextRetryDelayMs({ retryable: true, retryAfterMs: 10 }, 1, retry, () => 0.5)).toBe(50);
    expect(nextRetryDelayMs({ retryable: true, retryAfterMs: 9e12 }, 1, retry)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('spreads the default schedule over minutes', () => {
    const ceilings = Array.from({ length: DEFAULT_RETRY.maxAttempts - 1 }, (_, i) => backoffDelayMs(i + 1, DEFAULT_RETRY, () => 1));
    const total = ceilings.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(5 * 60_000);
    expect(total).toBeLessThan(10 * 60_000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 2.5 ', now)).toBe(2_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
