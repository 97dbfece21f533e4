import type { RateLimitSpec } from '../../connectors/sdk';
import { RetryableError } from '../../core/errors/delivery.errors';
import { classifyError } from '../executor/error-classifier';
import { RateLimitPausedError, type RateLimiter } from './rate-limiter';

/** How a lane groups and paces what it is given. */
export interface LaneSettings {
  /** Deliveries per request: 1 for a paced single delivery, up to the connector's `maxItems` for a batch. */
  maxItems: number;
  /** How long the first waiting delivery may wait for others before its request goes anyway. */
  maxWaitMs: number;
  rate?: RateLimitSpec;
  /**
   * Deliveries the lane holds at most; past it, a delivery is deferred (`defer`) to about when its turn
   * would come, so a durable transport keeps a paced backlog in Redis, not in a worker's slots.
   * @default unbounded
   */
  maxQueued?: number;
}

/** One delivery waiting in a lane. The lane calls `defer` or hands it to `send`; it never drops one. */
export interface LaneEntry {
  enqueuedAt: number;
  /** The delivery cannot be sent soon (its key is paused): try again in `retryInMs`, no attempt used. */
  defer(retryInMs: number, reason: string): void;
  /** It will not be sent (shutdown, limiter failure): counts as a failed attempt. */
  fail(error: unknown): void;
}

interface Lane<E extends LaneEntry> {
  settings: LaneSettings;
  pending: E[];
  running: boolean;
  wake?: () => void;
  /** Until when the turns of the deliveries deferred for the backlog are spoken for (ms). */
  bookedUntil: number;
}

/**
 * Groups deliveries by key and paces each group: the core of batching and rate limiting, used by the
 * executor for every connector that declares `batch` or `rateLimit`. Per lane, one loop waits until
 * `maxItems` deliveries wait or the oldest has waited `maxWaitMs`, then takes a rate-limit slot, then
 * takes up to `maxItems` of what waits *now* (so a batch fills up while it waits for its slot) and hands
 * them to `send` without waiting for the request to finish.
 */
export class DeliveryLanes<E extends LaneEntry> {
  private readonly lanes = new Map<string, Lane<E>>();

  constructor(
    private readonly limiter: RateLimiter,
    private readonly send: (entries: E[], settings: LaneSettings) => void,
    private readonly shutdown: AbortSignal,
    /** A key paused for longer than this defers its deliveries instead of holding them in memory. */
    private readonly maxPacingWaitMs: number,
    /**
     * Deliveries all lanes together hold at most; past it, a delivery is deferred like a lane's backlog
     * (a durable transport: what lanes hold are active jobs, and the other deliveries need some too).
     */
    private readonly maxHeld = Number.POSITIVE_INFINITY,
  ) {
    shutdown.addEventListener('abort', () => this.drainAll(), { once: true });
  }

  submit(key: string, settings: LaneSettings, entry: E): void {
    if (this.shutdown.aborted) return entry.fail(new RetryableError('the app shut down before the request was sent'));
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { settings, pending: [], running: false, bookedUntil: 0 }));
    lane.settings = settings; // The latest config wins: a reload applies to what waits.
    if (settings.maxQueued !== undefined && lane.pending.length >= settings.maxQueued) return this.deferBacklog(lane, entry);
    if (this.maxHeld !== Number.POSITIVE_INFINITY && this.waiting >= this.maxHeld) return this.deferBacklog(lane, entry);
    lane.pending.push(entry);
    if (lane.pending.length >= settings.maxItems) lane.wake?.();
    if (!lane.running) void this.run(key, lane);
  }

  /**
   * Defers a delivery past the lane's backlog: each one deferred books the next request's share of time
   * (the pace, or the batch wait), so a backlog of thousands comes back spread over its real turns
   * instead of all at once.
   */
  private deferBacklog(lane: Lane<E>, entry: E): void {
    const { rate, maxItems, maxWaitMs } = lane.settings;
    const perRequestMs = rate ? rate.perMs / Math.max(1, rate.requests) : Math.max(maxWaitMs, 50);
    const perItemMs = perRequestMs / Math.max(1, maxItems);
    const now = Date.now();
    const queuedMs = Math.ceil(lane.pending.length / Math.max(1, maxItems)) * perRequestMs;
    lane.bookedUntil = Math.max(lane.bookedUntil, now + queuedMs) + perItemMs;
    const retryInMs = Math.max(50, Math.ceil(lane.bookedUntil - now));
    entry.defer(retryInMs, `PACED: ${lane.pending.length} deliveries ahead in the destination's pace; not attempted yet`);
  }

  /** Deliveries held in every lane, waiting for their batch or their rate-limit turn. */
  private get waiting(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.pending.length;
    return n;
  }

  private async run(key: string, lane: Lane<E>): Promise<void> {
    lane.running = true;
    try {
      while (lane.pending.length > 0 && !this.shutdown.aborted) {
        await this.waitToFill(lane);
        if (this.shutdown.aborted) break;
        const { rate, maxItems } = lane.settings;
        if (rate) {
          try {
            await this.limiter.acquire(rate, { signal: this.shutdown, maxWaitMs: this.maxPacingWaitMs });
          } catch (error) {
            // A wait cut short by shutdown is not the delivery's fault: it must stay retryable.
            this.release(lane, this.shutdown.aborted ? new RetryableError('the app shut down before the request was sent') : error);
            continue;
          }
        }
        const taken = lane.pending.splice(0, Math.max(1, maxItems));
        if (taken.length > 0) this.send(taken, lane.settings);
      }
    } finally {
      lane.running = false;
      if (lane.pending.length === 0) this.lanes.delete(key);
      else if (this.shutdown.aborted) this.release(lane, new RetryableError('the app shut down before the request was sent'));
    }
  }

  private async waitToFill(lane: Lane<E>): Promise<void> {
    for (;;) {
      const { maxItems, maxWaitMs } = lane.settings;
      if (lane.pending.length === 0 || lane.pending.length >= maxItems || this.shutdown.aborted) return;
      const dueIn = lane.pending[0].enqueuedAt + maxWaitMs - Date.now();
      if (dueIn <= 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.shutdown.removeEventListener('abort', done);
          lane.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, dueIn);
        this.shutdown.addEventListener('abort', done, { once: true });
        lane.wake = done;
      });
    }
  }

  /** Everything waiting in the lane leaves: deferred when the key is paused, failed otherwise. */
  private release(lane: Lane<E>, error: unknown): void {
    const entries = lane.pending.splice(0);
    for (const entry of entries) {
      if (error instanceof RateLimitPausedError) entry.defer(error.retryAfterMs ?? 1000, `RATE_LIMITED: ${error.message}; not attempted yet`);
      else entry.fail(classifyError(error));
    }
  }

  private drainAll(): void {
    for (const lane of this.lanes.values()) {
      lane.wake?.();
      if (!lane.running) this.release(lane, new RetryableError('the app shut down before the request was sent'));
    }
  }
}
