import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { messages } from '../../core/errors/hookline.messages';
import { TransportUnavailableError } from '../../core/errors/transport-unavailable.error';
import { RetryableError } from '../../core/errors/delivery.errors';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { DeliveryJob } from '../records/delivery';
import type { DeliveryExecutor } from '../executor/delivery.executor';
import { backoffDelayMs, DEFAULT_RETRY } from '../../core/retry/retry.policy';
import type { BullmqConnections } from './bullmq.connections';
import { jobFor, type DeliveryJobData, type DeliveryJobResult } from './bullmq.queue';
import { countWaiting } from './bullmq-waiting';
import type { Transport } from './transport';
import { orAfter, settlesWithin } from '../../core/util/timeout';

/** After the drain time, aborted attempts get this long to record their retry before the worker lets go. */
const ABORT_GRACE_MS = 5_000;
/** How long `start` waits for Redis before it lets the app start anyway (publishing fails until it answers). */
const START_WAIT_MS = 10_000;
/** A delivery held back at publish runs after this unless a destination slot is handed to it first (it is, normally). */
const HELD_FALLBACK_MS = 300_000;
/** A woken delivery still active (moving itself to the delayed set) is looked at again this often, this many times. */
const WAKE_RETRY_MS = 50;
const WAKE_TRIES = 40;

/** Why a job whose user's data was erased while it ran ends as dead. */
const ERASED = 'ERASED: the user\'s data was erased; not attempted again';

/** The executor asked for another attempt in `retryInMs`: read back by the custom backoff strategy. */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
    this.stack = message;
  }
}

/**
 * Durable transport on BullMQ: deliveries wait in Redis, any instance sharing the queue runs them,
 * and a job whose worker dies is run again by another (stalled-job recovery). At-least-once.
 * The executor stays the one authority on retries: a failed attempt becomes a retry delayed by exactly
 * what the retry policy said (a custom backoff strategy), a dead one an UnrecoverableError.
 */
export class BullmqTransport implements Transport {
  readonly name = 'bullmq';
  private worker?: Worker<DeliveryJobData, DeliveryJobResult>;
  private readonly running = new Set<string>();
  private accepting = true;

  constructor(
    private readonly redis: BullmqConnections,
    private readonly executor: DeliveryExecutor,
    private readonly logger: HooklineLogger,
    /** Aborting it ends in-flight attempts (as retryable failures); done when the drain time is over. */
    private readonly shutdown: AbortController,
  ) {
    // A parked delivery (busy destination, open circuit) is a delayed job: woken early by promoting it.
    executor.guard.setWaker((destination, ids) => void Promise.all(ids.map((id) => this.wake(destination, id))));
  }

  /**
   * Runs a parked delivery now. One that was handed a destination slot may still be on its way to the
   * delayed set (it queued itself, then moves): looked at again shortly. One that is gone (done, removed)
   * gives its slot back, so that it goes to the next in line.
   */
  private async wake(destination: string, id: string): Promise<void> {
    for (let tries = 0; tries < WAKE_TRIES; tries++) {
      try {
        const job = await this.queue.getJob(id);
        if (job && (await job.promote().then(() => true, () => false))) return;
        const state = job ? await job.getState() : 'unknown';
        if (state === 'delayed') continue; // lost a race with something else that moved it: try again
        if (state === 'completed' || state === 'failed' || state === 'unknown') return await this.executor.guard.release(destination, id);
        if (state !== 'active') return; // waiting: it runs soon and takes its slot
      } catch {
        // Its timer fired between the look and the promotion: look again.
      }
      await new Promise((resolve) => setTimeout(resolve, WAKE_RETRY_MS));
    }
    // Still active: it is running (it took its slot by itself) and releases it when done.
  }

  private get queue() {
    return this.redis.queue;
  }

  private get options() {
    return this.redis.options;
  }

  private get outage() {
    return this.redis.outage;
  }

  async start(): Promise<void> {
    if (this.options.worker && !this.worker) this.worker = this.createWorker();
    // The queue's connection, and the client the delivery log, rate limits and circuits read with (which
    // fails fast: a read sent while it is still connecting would fail).
    const connected = Promise.all([this.queue.waitUntilReady(), this.redis.clientReady()]).then(() => true);
    const ready = await orAfter(connected, START_WAIT_MS, false).catch(() => false);
    if (!this.accepting) return; // closed while it started: nothing to report
    if (ready) this.outage.up();
    else this.outage.down(new Error(`no answer within ${START_WAIT_MS} ms`));
  }

  /**
   * Adds the jobs. A delivery whose destination has no free slot (or others waiting) is not put in the
   * queue's FIFO, where it would sit in front of other tenants' jobs: it is added delayed, then queued in
   * its destination's waiting list, and promoted when a slot is handed to it (the delay is the fallback).
   */
  async waiting(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    if (!this.accepting) throw new Error(messages.transportClosed());
    const held = await this.heldBack(jobs);
    try {
      await this.queue.addBulk(jobs.map((job) => jobFor(job, this.options, held.has(job.deliveryId) ? HELD_FALLBACK_MS : 0)));
    } catch (error) {
      throw new TransportUnavailableError(this.options.where, jobs.length, error);
    }
    await this.queueHeld(held);
  }

  /** The deliveries to hold back, each with its destination and cap: those that got no slot at publish. */
  private async heldBack(jobs: readonly DeliveryJob[]): Promise<Map<string, { destination: string; cap: number }>> {
    const held = new Map<string, { destination: string; cap: number }>();
    try {
      const byDestination = new Map<string, { cap: number; ids: string[] }>();
      for (const job of jobs) {
        const slot = await this.executor.sharedSlotOf(job.consumerId);
        if (!slot) continue;
        const group = byDestination.get(slot.destination) ?? { cap: slot.cap, ids: [] };
        group.ids.push(job.deliveryId);
        byDestination.set(slot.destination, group);
      }
      for (const [destination, { cap, ids }] of byDestination) {
        const admitted = new Set(await this.executor.guard.admitAtPublish(destination, ids, cap));
        for (const id of ids) if (!admitted.has(id)) held.set(id, { destination, cap });
      }
    } catch (error) {
      // The slots cannot be read: the jobs go to the queue as they are, and wait for slots when they run.
      this.logger.warn('destination slots unavailable at publish; queued as they are', { error: (error as Error).message });
      held.clear();
    }
    return held;
  }

  /** Queues held-back jobs in their destinations' waiting lists; any that find a free slot run at once. */
  private async queueHeld(held: Map<string, { destination: string; cap: number }>): Promise<void> {
    const byDestination = new Map<string, { cap: number; ids: string[] }>();
    for (const [id, { destination, cap }] of held) {
      const group = byDestination.get(destination) ?? { cap, ids: [] };
      group.ids.push(id);
      byDestination.set(destination, group);
    }
    for (const [destination, { cap, ids }] of byDestination) {
      try {
        const now = await this.executor.guard.holdBack(destination, ids, cap);
        await Promise.all(now.map((id) => this.wake(destination, id)));
      } catch (error) {
        // They are safely in Redis, delayed: they run when their delay ends.
        this.logger.warn('held-back deliveries not queued for their destination; they run after their delay', {
          destination,
          deliveries: ids.length,
          error: (error as Error).message,
        });
      }
    }
  }

  /** Re-runs a dead delivery with fresh attempts. False when it is not (or no longer) dead in the queue. */
  async replay(deliveryId: string): Promise<boolean> {
    if (!this.accepting) throw new Error(messages.transportClosed());
    const job = await this.queue.getJob(deliveryId);
    if (!job || (await job.getState()) !== 'failed') return false;
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch {
      return false; // another instance replayed it first, or retention removed it
    }
  }

  /** The whole queue's waiting deliveries (shared by every instance), per consumer. */
  waitingByConsumer(): Promise<Array<{ consumerId: string; count: number }>> {
    return countWaiting(this.redis.redis, this.queue);
  }

  async close(drainMs: number): Promise<void> {
    this.accepting = false;
    const worker = this.worker;
    if (worker) {
      const closing = worker.close();
      if (!(await settlesWithin(closing, drainMs))) {
        this.logger.warn('deliveries still running after the drain time; aborting them, they will be retried', {
          running: this.running.size,
        });
        this.shutdown.abort(new RetryableError('the app shut down'));
        if (!(await settlesWithin(closing, ABORT_GRACE_MS))) {
          this.logger.error('deliveries left running at shutdown; another instance runs them once their lock expires', {
            deliveryIds: [...this.running].join(','),
          });
        }
      }
    }
    await settlesWithin(this.redis.close(), ABORT_GRACE_MS);
  }

  private createWorker(): Worker<DeliveryJobData, DeliveryJobResult> {
    const worker = new Worker<DeliveryJobData, DeliveryJobResult>(this.options.queueName, (job, token) => this.process(job, token), {
      connection: this.redis.workerConnection(),
      prefix: this.options.prefix,
      concurrency: this.options.workerConcurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      maxStalledCount: this.options.maxStalledCount,
      settings: { backoffStrategy: (attemptsMade, _type, error) => retryDelayFor(attemptsMade, error) },
      ...(this.options.telemetry ? { telemetry: this.options.telemetry } : {}),
    });
    worker.on('error', (error) => this.outage.down(error));
    worker.on('ready', () => this.outage.up());
    // BullMQ 6 emits a worker's 'ready' once, at start; its backend's 'ready' also follows each reconnection.
    worker.getBackend().on('ready', () => this.outage.up());
    worker.on('stalled', (deliveryId) =>
      this.logger.warn('delivery recovered from a worker that stopped; it runs again', { deliveryId }),
    );
    worker.on('failed', (job, error) => {
      // The executor logs its own verdicts; this catches anything else the processor threw. (A job failed for
      // stalling more than maxStalledCount times shows in the delivery log as dead, with BullMQ's reason.)
      if (job && !(error instanceof UnrecoverableError) && !(error instanceof RetryLater) && !(error instanceof DelayedError)) {
        this.logger.error('delivery dead', { ...fieldsOf(job), outcome: 'dead', error: error.message });
      }
    });
    return worker;
  }

  private async process(job: Job<DeliveryJobData, DeliveryJobResult>, token?: string): Promise<DeliveryJobResult> {
    if (job.data.erased) throw new UnrecoverableError(ERASED);
    const delivery: DeliveryJob = {
      deliveryId: job.id!,
      consumerId: job.data.consumerId,
      kind: job.data.kind,
      event: job.data.event,
      attempts: job.attemptsMade,
      ...(job.data.trace ? { trace: job.data.trace } : {}),
    };
    this.running.add(delivery.deliveryId);
    try {
      const result = await this.executor.attempt(delivery);
      if (result.status === 'succeeded') return { detail: result.detail ?? null };
      if (result.status === 'failed') throw new RetryLater(result.error, result.retryInMs);
      if (result.status === 'deferred') {
        // Not attempted (its rate-limit key is paused): delayed without using an attempt.
        await job.moveToDelayed(Date.now() + result.retryInMs, token);
        throw new DelayedError();
      }
      const dead = new UnrecoverableError(result.error);
      dead.stack = result.error;
      throw dead;
    } finally {
      this.running.delete(delivery.deliveryId);
    }
  }
}

/** The custom backoff strategy: the delay the executor asked for (retry policy, Retry-After floor). */
function retryDelayFor(attemptsMade: number, error: Error | undefined): number {
  if (error instanceof RetryLater) return error.retryInMs;
  return backoffDelayMs(attemptsMade, DEFAULT_RETRY);
}

function fieldsOf(job: Job<DeliveryJobData>) {
  return {
    tenant: job.data?.event?.tenant,
    consumerId: job.data?.consumerId,
    eventId: job.data?.event?.id,
    deliveryId: job.id,
  };
}
