import type { DeliveryJob } from '../records/delivery';
import { evictOldest } from '../../core/util/bounded-map';

/**
 * The jobs of the last dead deliveries, for replay by a transport that holds nothing once a job ends.
 * Bounded: past `max` the oldest go first (a Map keeps insertion order), and none is kept longer than
 * `maxAgeMs` (the retention of payloads).
 */
export class DeadLetters {
  private readonly jobs = new Map<string, { job: DeliveryJob; at: number }>();

  constructor(
    private readonly max: number,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {}

  add(job: DeliveryJob, now = Date.now()): void {
    this.jobs.delete(job.deliveryId);
    this.jobs.set(job.deliveryId, { job, at: now });
    evictOldest(this.jobs, this.max);
    this.expire(now);
  }

  /** Removes and returns a dead job: a replayed delivery is no longer dead. */
  take(deliveryId: string, now = Date.now()): DeliveryJob | undefined {
    this.expire(now);
    const entry = this.jobs.get(deliveryId);
    this.jobs.delete(deliveryId);
    return entry?.job;
  }

  /** Drops the jobs `matches` picks (a user's, for erasure); answers their delivery ids. */
  drop(matches: (job: DeliveryJob) => boolean): string[] {
    const dropped: string[] = [];
    for (const [id, { job }] of this.jobs) if (matches(job) && this.jobs.delete(id)) dropped.push(id);
    return dropped;
  }

  /** Oldest first (insertion order): stops at the first one still within the retention. */
  private expire(now: number): void {
    for (const [id, { at }] of this.jobs) {
      if (now - at < this.maxAgeMs) return;
      this.jobs.delete(id);
    }
  }

  get size(): number {
    return this.jobs.size;
  }
}
