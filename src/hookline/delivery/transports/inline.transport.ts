import fastq from 'fastq';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { DeliveryJob } from '../records/delivery';
import type { AttemptResult, DeliveryExecutor } from '../executor/delivery.executor';
import type { DeliveryRecords } from '../records/delivery-records';
import { messages } from '../../core/errors/hookline.messages';
import { DeadLetters } from './dead-letters';
import type { Transport } from './transport';
import { orAfter } from '../../core/util/timeout';

export interface InlineTransportOptions {
  type: 'inline';
  /**
   * Dead deliveries whose event is kept in memory so they can be replayed (the oldest go first).
   * @default 1000
   */
  keepDead?: number;
}

export const DEFAULT_KEEP_DEAD = 1_000;

/**
 * In-process transport: a queue (fastq) plus timers for scheduled retries. It hands every job to the
 * executor at once: the executor bounds the requests in flight (`concurrency`), and a job waiting there for
 * its batch or its rate-limit turn holds no request slot, so a paced Slack webhook never starves HubSpot
 * and a batch can be larger than `concurrency`.
 * Fast and dependency-free, but not durable: what is queued dies with the process (use `bullmq` for that).
 * At shutdown every delivery that could not finish is logged and left `failed`, so none vanishes silently.
 */
export class InlineTransport implements Transport {
  readonly name = 'inline';
  private readonly queue: fastq.queue<DeliveryJob, void>;
  private readonly running = new Set<DeliveryJob>();
  private readonly retries = new Map<NodeJS.Timeout, DeliveryJob>();
  /** Deliveries parked for their destination (an open circuit), by destination key: woken when it recovers. */
  private readonly parked = new Map<string, Map<string, NodeJS.Timeout>>();
  /** Deliveries already reported as unfinished at shutdown: a job that ends later is not reported twice. */
  private readonly abandoned = new Set<string>();
  private readonly dead: DeadLetters;
  private accepting = true;

  constructor(
    private readonly executor: DeliveryExecutor,
    private readonly records: DeliveryRecords,
    private readonly logger: HooklineLogger,
    /** Jobs handed to the executor at once; the default is all of them (see above). */
    maxInFlight = Number.POSITIVE_INFINITY,
    keepDead = DEFAULT_KEEP_DEAD,
    /** How long a dead delivery's event is kept for replay (the retention of payloads). */
    retentionMs = Number.POSITIVE_INFINITY,
  ) {
    this.dead = new DeadLetters(keepDead, retentionMs);
    // The callback form: a delivery in flight holds no promise of the queue's own (see work).
    this.queue = fastq(this, this.work, maxInFlight);
    this.queue.pause();
    executor.guard.setWaker((destination, ids) => this.wake(destination, ids));
  }

  /** Runs parked deliveries now instead of at their timer. */
  private wake(destination: string, ids: string[]): void {
    const parked = this.parked.get(destination);
    if (!parked || !this.accepting) return;
    for (const id of ids) {
      const timer = parked.get(id);
      if (!timer) continue;
      const job = this.retries.get(timer);
      clearTimeout(timer);
      this.unpark(destination, id, timer);
      if (job) this.push(job);
    }
  }

  private unpark(destination: string, id: string, timer: NodeJS.Timeout): void {
    this.retries.delete(timer);
    const parked = this.parked.get(destination);
    parked?.delete(id);
    if (parked?.size === 0) this.parked.delete(destination);
  }

  async start(): Promise<void> {
    this.queue.resume();
  }

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    if (!this.accepting) throw new Error('Hookline is shutting down and takes no new deliveries');
    for (const job of jobs) this.push(job);
  }

  private push(job: DeliveryJob): void {
    this.queue.push(job, ignore);
  }

  async replay(deliveryId: string): Promise<boolean> {
    if (!this.accepting) throw new Error(messages.transportClosed());
    const job = this.dead.take(deliveryId);
    if (!job) return false;
    await this.records.replayed(deliveryId);
    this.push({ ...job, attempts: 0 });
    return true;
  }

  /**
   * Cancels the user's waiting deliveries: scheduled retries and parked ones are dropped, those the executor
   * holds (waiting for a batch, a rate-limit turn or a slot) end without a request, and dead ones are no
   * longer kept for replay. A request already in flight completes.
   */
  eraseUser(userId: string, tenants?: readonly string[]): string[] {
    const mine = (job: DeliveryJob) => job.event.user?.id === userId && (!tenants || tenants.includes(job.event.tenant));
    const erased = this.dead.drop(mine);
    for (const [timer, job] of this.retries) {
      if (!mine(job)) continue;
      clearTimeout(timer);
      this.retries.delete(timer);
      for (const [destination, parked] of this.parked) if (parked.get(job.deliveryId) === timer) this.unpark(destination, job.deliveryId, timer);
      erased.push(job.deliveryId);
    }
    for (const job of [...this.running, ...this.queue.getQueue()]) {
      if (!mine(job)) continue;
      this.executor.erase(job.event);
      erased.push(job.deliveryId);
    }
    return erased;
  }

  /**
   * Not an async function: a delivery waiting in the executor (for its batch or its rate-limit turn) then
   * holds one reaction here rather than a suspended call (see DeliveryExecutor's Pending).
   */
  private work(job: DeliveryJob, done: fastq.done<void>): void {
    if (this.executor.isErased(job.event)) {
      // Later, as an async worker would end: a run of erased jobs must not recurse through fastq's release.
      queueMicrotask(() => done(null));
      return;
    }
    this.running.add(job);
    this.executor.attempt(job).then(
      (result) => this.finish(job, done, () => this.after(job, result)),
      (error: unknown) => this.finish(job, done, () => this.couldNotRun(job, error)),
    );
  }

  /** Runs what follows an attempt; whatever it throws, the job leaves the running set and frees its place in the queue. */
  private finish(job: DeliveryJob, done: fastq.done<void>, then: () => void): void {
    try {
      then();
    } catch (error) {
      this.couldNotRun(job, error);
    } finally {
      this.running.delete(job);
      done(null);
    }
  }

  /** The executor never throws for a consumer's failure: this is a failing delivery log, or a failure after the attempt. */
  private couldNotRun(job: DeliveryJob, error: unknown): void {
    this.logger.error('delivery attempt could not run', {
      tenant: job.event.tenant,
      consumerId: job.consumerId,
      eventId: job.event.id,
      deliveryId: job.deliveryId,
      error: (error as Error)?.message ?? String(error),
    });
  }

  /** What follows an attempt: keep a dead one for replay, or schedule the next try. */
  private after(job: DeliveryJob, result: AttemptResult): void {
    // Erased while it waited: no retry, and its event is not kept for replay.
    if (this.executor.isErased(job.event)) return;
    if (result.status === 'dead') this.dead.add(job);
    if (result.status !== 'failed' && result.status !== 'deferred') return;
    // A deferred job was not attempted: it keeps its attempt count.
    const next = { ...job, attempts: job.attempts + (result.status === 'failed' ? 1 : 0) };
    if (!this.accepting) return this.abandon(next, 'a retry was due after shutdown');
    const destination = result.status === 'deferred' ? result.destination : undefined;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (destination) this.unpark(destination, next.deliveryId, timer);
      this.push(next);
    }, result.retryInMs);
    this.retries.set(timer, next);
    if (destination) {
      let parked = this.parked.get(destination);
      if (!parked) this.parked.set(destination, (parked = new Map()));
      parked.set(next.deliveryId, timer);
    }
  }

  async waiting(): Promise<number> {
    return this.queue.length() + this.retries.size;
  }

  async waitingByConsumer(): Promise<Array<{ consumerId: string; count: number }>> {
    const counts = new Map<string, number>();
    for (const job of [...this.queue.getQueue(), ...this.retries.values()]) counts.set(job.consumerId, (counts.get(job.consumerId) ?? 0) + 1);
    return [...counts].map(([consumerId, count]) => ({ consumerId, count }));
  }

  async close(drainMs: number): Promise<void> {
    this.accepting = false;
    for (const [timer, job] of this.retries) {
      clearTimeout(timer);
      this.abandon(job, 'a retry was scheduled');
    }
    this.retries.clear();
    this.parked.clear();
    const drained = this.drained();
    const timedOut = await orAfter(drained.then(() => false), drainMs, true);
    if (!timedOut) return;
    for (const job of this.queue.getQueue()) this.abandon(job, 'it was still queued');
    this.queue.kill();
    for (const job of this.running) this.abandon(job, 'it was still running');
  }

  /** Settles once nothing is queued or running (fastq's own `drained`, for its callback form). */
  private drained(): Promise<void> {
    if (this.queue.idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.queue.drain;
      this.queue.drain = () => {
        this.queue.drain = previous;
        previous.call(this.queue);
        resolve();
      };
    });
  }

  private abandon(job: DeliveryJob, why: string): void {
    // An attempt abandoned while running still ends (aborted) later: report each delivery once.
    if (this.abandoned.has(job.deliveryId)) return;
    this.abandoned.add(job.deliveryId);
    this.logger.error(`delivery not finished at shutdown: ${why}`, {
      tenant: job.event.tenant,
      consumerId: job.consumerId,
      eventId: job.event.id,
      deliveryId: job.deliveryId,
      attempts: job.attempts,
    });
    void this.records.abandoned(job.deliveryId, why);
  }
}

function ignore(): void {}
