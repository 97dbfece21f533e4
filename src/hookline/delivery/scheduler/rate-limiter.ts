import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitSpec } from '../../connectors/sdk';
import { RetryableError } from '../../core/errors/delivery.errors';

/**
 * Paces requests per key. A request over the limit waits for its turn (FIFO per key on this instance);
 * `pause` stops a key for a window (a 429's Retry-After) for everyone sharing it. The counters live in
 * memory, or in Redis so that every app instance shares them.
 */
export interface RateLimiter {
  /**
   * Resolves when one request of `spec.key` may be sent. Rejects with the signal's reason when it aborts,
   * and with {@link RateLimitPausedError} when the key is paused for longer than `maxWaitMs`.
   */
  acquire(spec: RateLimitSpec, options?: { signal?: AbortSignal; maxWaitMs?: number }): Promise<void>;
  /** No request of the key is let through for `ms` (at least; rounded up to whole seconds). */
  pause(spec: RateLimitSpec, ms: number): Promise<void>;
  /** Rejects every waiter and stops timers. */
  close(): void;
}

/** The key is paused (a 429's window) for longer than a delivery may wait in memory: try again later. */
export class RateLimitPausedError extends RetryableError {
  constructor(key: string, retryAfterMs: number) {
    super(`rate limit ${key} paused for ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs, code: 'RATE_LIMITED' });
  }
}

export interface RateLimiterOptions {
  /** Shares the counters across instances. Without it, they are per process. */
  redis?: Redis | Cluster;
  /** @default 'hookline:rl' */
  keyPrefix?: string;
}

/** The factory the module (and a durable transport) uses: Redis-backed when given a client. */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  return new FlexibleRateLimiter(options);
}

/**
 * Fixed windows of whole seconds (what a Redis TTL holds) sized so that no *sliding* window of `perMs`
 * ever sees more than `requests`: a sliding window spans at most ceil(perMs / d) + 1 windows of d seconds,
 * so each gets floor(requests / that). 100 per 10 s → 9 per second (90 per 10 s, never over 99 in any 10 s).
 * Limits too small to split (about one per second) fall back to one window of `perMs`, which lets a burst
 * of two through across a window boundary.
 */
export function windowsFor(spec: Pick<RateLimitSpec, 'requests' | 'perMs'>): { points: number; seconds: number } {
  const total = Math.max(1, Math.ceil(spec.perMs / 1000));
  let best = { points: Math.max(1, Math.floor(spec.requests)), seconds: total, rate: 0 };
  for (let seconds = 1; seconds < total; seconds++) {
    const points = Math.floor(spec.requests / (Math.ceil(total / seconds) + 1));
    if (points >= 1 && points / seconds > best.rate) best = { points, seconds, rate: points / seconds };
  }
  return { points: best.points, seconds: best.seconds };
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  maxWaitMs: number;
  signal?: AbortSignal;
  onAbort?: () => void;
}

class FlexibleRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly queues = new Map<string, { waiters: Waiter[]; pumping: boolean }>();
  private readonly closed = new AbortController();
  private readonly keyPrefix: string;

  constructor(private readonly options: RateLimiterOptions) {
    this.keyPrefix = options.keyPrefix ?? 'hookline:rl';
  }

  acquire(spec: RateLimitSpec, options: { signal?: AbortSignal; maxWaitMs?: number } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed.signal.aborted) return reject(new RetryableError('the rate limiter is closed'));
      if (options.signal?.aborted) return reject(options.signal.reason);
      const queue = this.queueOf(spec.key);
      const waiter: Waiter = { resolve, reject, maxWaitMs: options.maxWaitMs ?? Number.POSITIVE_INFINITY, signal: options.signal };
      if (options.signal) {
        waiter.onAbort = () => {
          const at = queue.waiters.indexOf(waiter);
          if (at >= 0) queue.waiters.splice(at, 1);
          reject(options.signal!.reason);
        };
        options.signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      queue.waiters.push(waiter);
      void this.pump(spec, queue);
    });
  }

  async pause(spec: RateLimitSpec, ms: number): Promise<void> {
    const limiter = this.limiterFor(spec);
    const current = await limiter.get(spec.key).catch(() => null);
    const seconds = Math.ceil(Math.max(ms, current?.msBeforeNext ?? 0) / 1000);
    if (seconds > 0) await limiter.block(spec.key, seconds);
  }

  close(): void {
    this.closed.abort();
    for (const queue of this.queues.values()) {
      for (const waiter of queue.waiters.splice(0)) this.settle(waiter, new RetryableError('the rate limiter closed'));
    }
  }

  private queueOf(key: string) {
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { waiters: [], pumping: false }));
    return queue;
  }

  /** Only the head of a key's queue asks the store, so a long queue costs one call per slot, not one per waiter. */
  private async pump(spec: RateLimitSpec, queue: { waiters: Waiter[]; pumping: boolean }): Promise<void> {
    if (queue.pumping) return;
    queue.pumping = true;
    try {
      while (queue.waiters.length > 0 && !this.closed.signal.aborted) {
        const waitMs = await this.tryConsume(spec);
        if (waitMs === 0 || waitMs instanceof Error) {
          // The head may have left (aborted) meanwhile: the slot goes to whoever is first now.
          const head = queue.waiters.shift();
          if (head) this.settle(head, waitMs === 0 ? undefined : waitMs);
          continue;
        }
        // Everyone whose patience is shorter than the pause goes now, with the time to come back.
        for (const waiter of [...queue.waiters]) {
          if (waiter.maxWaitMs < waitMs) {
            queue.waiters.splice(queue.waiters.indexOf(waiter), 1);
            this.settle(waiter, new RateLimitPausedError(spec.key, waitMs));
          }
        }
        if (queue.waiters.length > 0) await sleep(waitMs, this.closed.signal);
      }
    } finally {
      queue.pumping = false;
      if (queue.waiters.length === 0) this.queues.delete(spec.key);
    }
  }

  /** 0 when consumed, the ms to wait otherwise, or an Error when the store failed. */
  private async tryConsume(spec: RateLimitSpec): Promise<number | Error> {
    try {
      await this.limiterFor(spec).consume(spec.key, 1);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
      return new RetryableError(`rate limiter store failed: ${(rejection as Error)?.message ?? rejection}`, { cause: rejection });
    }
  }

  private settle(waiter: Waiter, error?: unknown): void {
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }

  private limiterFor(spec: RateLimitSpec): RateLimiterAbstract {
    const { points, seconds } = windowsFor(spec);
    const id = `${points}/${seconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const common = { points, duration: seconds, keyPrefix: this.keyPrefix };
      limiter = this.options.redis
        ? new RateLimiterRedis({ ...common, storeClient: this.options.redis })
        : new RateLimiterMemory(common);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
