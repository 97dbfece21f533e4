import type { DeliveryJob } from '../records/delivery';
import { evictOldest } from '../../core/util/bounded-map';

/**
 * The jobs of the last dead deliveries, for replay by a transport that holds nothing once a job ends.
 * Bounded: past `max` the oldest go first (a Map keeps insertion order).
 */
export class DeadLetters {
  private readonly jobs = new Map<string, DeliveryJob>();

  constructor(private readonly max: number) {}

  add(job: DeliveryJob): void {
    this.jobs.delete(job.deliveryId);
    this.jobs.set(job.deliveryId, job);
    evictOldest(this.jobs, this.max);
  }

  /** Removes and returns a dead job: a replayed delivery is no longer dead. */
  take(deliveryId: string): DeliveryJob | undefined {
    const job = this.jobs.get(deliveryId);
    this.jobs.delete(deliveryId);
    return job;
  }

  get size(): number {
    return this.jobs.size;
  }
}
