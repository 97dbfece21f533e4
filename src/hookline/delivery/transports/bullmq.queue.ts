import type { JobsOptions, Queue } from 'bullmq';
import type { ConsumerKind } from '../../config/config.model';
import type { UserRegisteredEvent } from '../../core/events/user-registered.event';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { DeliveryJob } from '../records/delivery';
import type { ResolvedBullmqOptions } from './bullmq.options';

/** What a job holds in Redis: the event and who receives it. Never a consumer's config, so never a secret. */
export interface DeliveryJobData {
  consumerId: string;
  kind: ConsumerKind;
  event: UserRegisteredEvent;
  /** The user's data was erased while the job ran: `event` is a tombstone, and the job ends without another attempt. */
  erased?: true;
  /** The dispatch's W3C trace context: the attempts' spans, in whichever instance, join its trace. */
  trace?: Record<string, string>;
}

/** A job's return value, kept with the completed job. */
export interface DeliveryJobResult {
  detail: Record<string, unknown> | null;
}

export type DeliveryQueue = Queue<DeliveryJobData, DeliveryJobResult, string>;

/** Name of the custom backoff strategy: the executor computes each delay (the retry policy, Retry-After). */
const HOOKLINE_BACKOFF = 'hookline';

/**
 * BullMQ never decides on its own that a delivery is over: the executor does (per consumer, with the
 * config of the moment) and ends it with an UnrecoverableError. This only has to exceed any `maxAttempts`.
 */
const BULLMQ_ATTEMPTS = 1_000;

/** `delayMs`: held back that long (a delivery queued for its destination at publish; woken earlier). */
export function jobFor(job: DeliveryJob, options: ResolvedBullmqOptions, delayMs = 0) {
  const opts: JobsOptions = {
    jobId: job.deliveryId,
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    attempts: BULLMQ_ATTEMPTS,
    backoff: { type: HOOKLINE_BACKOFF },
    removeOnComplete: { age: options.keepSucceeded.maxAgeSeconds, count: options.keepSucceeded.maxCount },
    removeOnFail: { age: options.keepDead.maxAgeSeconds, count: options.keepDead.maxCount },
    // Failed reasons are the executor's redacted messages; stack traces would add nothing and could leak.
    stackTraceLimit: 0,
  };
  const data: DeliveryJobData = { consumerId: job.consumerId, kind: job.kind, event: job.event, ...(job.trace ? { trace: job.trace } : {}) };
  return { name: job.consumerId, data, opts };
}

/** Logs a Redis outage once when it starts and once when it ends, however many clients report it. */
export class RedisOutageLog {
  private since: number | null = null;

  constructor(
    private readonly logger: HooklineLogger,
    private readonly where: string,
  ) {}

  down(error: Error): void {
    if (this.since !== null) return;
    this.since = Date.now();
    this.logger.error('Redis unavailable: deliveries pause and resume when it answers; publish fails meanwhile', {
      redis: this.where,
      error: error.message,
    });
  }

  up(): void {
    if (this.since === null) return;
    this.logger.info('Redis available again: deliveries resume', { redis: this.where, downMs: Date.now() - this.since });
    this.since = null;
  }
}
