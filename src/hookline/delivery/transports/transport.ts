import type { DeliveryJob } from '../records/delivery';

/**
 * Where deliveries wait and who runs them. `inline` keeps them in memory; a durable transport keeps
 * them in Redis. Either way, the transport calls the executor and schedules the retries it asks for.
 */
export interface Transport {
  readonly name: string;
  /** Starts consuming. Called once the app is initialised. */
  start(): Promise<void>;
  /** Accepts jobs. Resolves once they are safely held (in memory for `inline`, in Redis for durable ones). */
  enqueue(jobs: readonly DeliveryJob[]): Promise<void>;
  /**
   * Runs a dead delivery again, with fresh attempts. Resolves false when the transport no longer holds it
   * (`inline` keeps the last dead ones in memory; `bullmq` keeps them as long as its retention says).
   */
  replay(deliveryId: string): Promise<boolean>;
  /**
   * Deliveries waiting for an attempt: queued, or scheduled for a retry or for their destination (in this
   * process for `inline`; in Redis, for every instance, for durable ones). Rejects when that cannot be read.
   */
  waiting?(): Promise<number>;

  /**
   * Erases a user's waiting deliveries (within `tenants` when given): each is cancelled, nothing is sent,
   * and the payload it held is dropped, as are those kept for replay. Answers their delivery ids. A transport
   * that keeps its deliveries in the delivery log erases them there (`DeliveryLog.eraseUser`) instead.
   */
  eraseUser?(userId: string, tenants?: readonly string[]): string[] | Promise<string[]>;

  /**
   * Deliveries waiting in the transport (queued, delayed for a retry, parked), counted per consumer, for
   * the `hookline_deliveries_waiting` gauge.
   */
  waitingByConsumer?(): Promise<Array<{ consumerId: string; count: number }>>;
  /** Stops taking work, waits up to `drainMs` for what is in flight, and logs whatever could not finish. */
  close(drainMs: number): Promise<void>;
}
