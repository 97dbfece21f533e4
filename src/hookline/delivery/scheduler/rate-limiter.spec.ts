import { Redis } from 'ioredis';
import { createRateLimiter, RateLimitPausedError, windowsFor, type RateLimiter } from './rate-limiter';

describe('windowsFor', () => {
  it.each([
    [{ requests: 100, perMs: 10_000 }, { points: 9, seconds: 1 }],
    [{ requests: 190, perMs: 10_000 }, { points: 17, seconds: 1 }],
    [{ requests: 1, perMs: 1000 }, { points: 1, seconds: 1 }],
    [{ requests: 5, perMs: 10_000 }, { points: 1, seconds: 3 }],
  ])('%j → %j, never over the limit in any sliding window', (spec, expected) => {
    const w = windowsFor(spec);
    expect(w).toEqual(expected);
    if (w.seconds * 1000 < spec.perMs) expect(w.points * (Math.ceil(spec.perMs / 1000 / w.seconds) + 1)).toBeLessThanOrEqual(spec.requests);
  });
});

const suites: Array<[string, () => { limiter: RateLimiter; cleanup: () => Promise<void> } | undefined]> = [
  ['memory', () => ({ limiter: createRateLimiter(), cleanup: async () => undefined })],
  [
    'redis',
    () => {
      const url = process.env.REDIS_URL;
      if (!url) return undefined;
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      const keyPrefix = `hltest-rl-${process.pid}-${Date.now().toString(36)}`;
      return {
        limiter: createRateLimiter({ redis, keyPrefix }),
        cleanup: async () => {
          const keys = await redis.keys(`${keyPrefix}:*`);
          if (keys.length) await redis.del(...keys);
          redis.disconnect();
        },
      };
    },
  ],
];

describe.each(suites)('RateLimiter (%s)', (name, make) => {
  let made: ReturnType<typeof make>;
  beforeEach(() => {
    made = make();
    if (!made) console.warn(`SKIPPED rate limiter (${name}): REDIS_URL is not set`);
  });
  afterEach(async () => {
    made?.limiter.close();
    await made?.cleanup();
  });
  const key = () => `k-${Math.random().toString(36).slice(2)}`;

  it('lets `points` through per window, then paces the rest in order', async () => {
    if (!made) return;
    const spec = { key: key(), requests: 2, perMs: 1000 };
    const started = Date.now();
    const order: number[] = [];
    const times: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((i) => made!.limiter.acquire(spec).then(() => (order.push(i), times.push(Date.now() - started)))),
    );
    expect(order).toEqual([0, 1, 2, 3]);
    expect(times[1]).toBeLessThan(300);
    expect(times[3]).toBeGreaterThanOrEqual(900);
  });

  it('pause closes the key for its window (to the second), for every waiter', async () => {
    if (!made) return;
    const spec = { key: key(), requests: 10, perMs: 1000 };
    await made.limiter.acquire(spec);
    const paused = Date.now();
    await made.limiter.pause(spec, 2000);
    await made.limiter.acquire(spec);
    expect(Date.now() - paused).toBeGreaterThanOrEqual(1950);
  });

  it('a waiter whose patience is shorter than the pause leaves with RateLimitPausedError', async () => {
    if (!made) return;
    const spec = { key: key(), requests: 10, perMs: 1000 };
    await made.limiter.pause(spec, 5000);
    const error = await made.limiter.acquire(spec, { maxWaitMs: 1000 }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitPausedError);
    expect(error.retryAfterMs).toBeGreaterThan(3000);
  });

  it('an aborted waiter leaves at once with the signal\'s reason', async () => {
    if (!made) return;
    const spec = { key: key(), requests: 1, perMs: 1000 };
    await made.limiter.acquire(spec);
    const controller = new AbortController();
    const waiting = made.limiter.acquire(spec, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('RateLimiter (redis) shares limits across instances', () => {
  it('two limiters on one Redis share counters and pauses', async () => {
    const url = process.env.REDIS_URL;
    if (!url) return console.warn('SKIPPED shared redis limiter: REDIS_URL is not set');
    const keyPrefix = `hltest-rl2-${process.pid}-${Date.now().toString(36)}`;
    const [r1, r2] = [new Redis(url), new Redis(url)];
    const [a, b] = [createRateLimiter({ redis: r1, keyPrefix }), createRateLimiter({ redis: r2, keyPrefix })];
    try {
      const spec = { key: 'shared', requests: 1, perMs: 1000 };
      await a.acquire(spec);
      const started = Date.now();
      await b.acquire(spec); // the other instance's slot is taken: waits for the next window
      expect(Date.now() - started).toBeGreaterThanOrEqual(1);
      await a.pause(spec, 2000);
      const error = await b.acquire(spec, { maxWaitMs: 500 }).catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitPausedError);
    } finally {
      a.close();
      b.close();
      const keys = await r1.keys(`${keyPrefix}:*`);
      if (keys.length) await r1.del(...keys);
      r1.disconnect();
      r2.disconnect();
    }
  });
});
