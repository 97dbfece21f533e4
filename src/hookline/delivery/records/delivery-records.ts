import { errorMessage } from '../../core/util/error-message';
import { isoTime } from '../../core/util/iso-time';
import { isPromiseLike, type MaybePromise } from '../../core/util/maybe-promise';
import type { DeliveryJob, DeliveryRecord } from './delivery';
import type { DeliveryLog } from './delivery-log';

/** How an attempt ended, as recorded: its number, its redacted error and how long it took. */
export interface AttemptFailure {
  /** Attempts made so far (this one included when it was attempted). */
  attempts: number;
  /** Redacted `CODE: message`. */
  lastError: string;
  /** The attempt's duration; left as recorded when the delivery was not attempted. */
  durationMs?: number;
  /** When it ended (epoch ms). @default now */
  at?: number;
}

/**
 * The one writer of delivery records: every change of a delivery's state is a named transition here, and
 * nothing else calls {@link DeliveryLog.put} or {@link DeliveryLog.update}. The dispatcher creates records,
 * the executor moves them through attempts, a transport replays or abandons them.
 */
export class DeliveryRecords {
  constructor(private readonly log: DeliveryLog) {}

  /**
   * A fresh `pending` record for a delivery about to be enqueued; false when it already exists (the event
   * came again). Once per delivery, on the emit path: at once when the log answers at once (the in-memory one).
   */
  pending(job: DeliveryJob, now = new Date()): MaybePromise<boolean> {
    try {
      return this.log.put(pendingRecord(job, now), { ifAbsent: true, userId: job.event.user.id });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The transport refused the delivery: forget it, so that publishing the event again enqueues it. */
  async enqueueFailed(deliveryId: string, cause: unknown): Promise<void> {
    if (this.log.remove) return this.log.remove(deliveryId);
    await this.write(deliveryId, {
      status: 'dead',
      lastError: `NOT_ENQUEUED: ${errorMessage(cause)}`,
      updatedAt: isoTime(),
    });
  }

  /**
   * Its request is about to be sent. This and {@link succeeded}, once per delivery each, answer at once
   * when the log does (the in-memory one): a promise only for a log that answers later.
   */
  running(deliveryId: string, attempts: number, startedAt: number): MaybePromise<void> {
    return this.write(deliveryId, {
      status: 'running',
      attempts,
      updatedAt: isoTime(startedAt),
      nextAttemptAt: null,
    });
  }

  succeeded(deliveryId: string, attempts: number, durationMs: number, detail?: Record<string, unknown>): MaybePromise<void> {
    return this.write(deliveryId, {
      status: 'succeeded',
      attempts,
      durationMs,
      updatedAt: isoTime(),
      ...(detail ? { detail } : {}),
    });
  }

  /**
   * Every update goes through here: at once when the log answers at once, with its failure as a rejection
   * whichever way the log reports it.
   */
  private write(deliveryId: string, patch: Partial<DeliveryRecord>): MaybePromise<void> {
    try {
      const updated = this.log.update(deliveryId, patch);
      return isPromiseLike(updated) ? Promise.resolve(updated).then(nothing) : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Not attempted (its destination or pacing makes it wait): pending again, due in `retryInMs`. */
  async deferred(deliveryId: string, lastError: string, retryInMs: number, at = Date.now()): Promise<void> {
    await this.write(deliveryId, {
      status: 'pending',
      lastError,
      updatedAt: isoTime(at),
      nextAttemptAt: isoTime(at + retryInMs),
    });
  }

  /** An attempt failed and another is scheduled in `retryInMs`. */
  async retrying(deliveryId: string, failure: AttemptFailure & { retryInMs: number }): Promise<void> {
    const at = failure.at ?? Date.now();
    await this.write(deliveryId, {
      status: 'failed',
      attempts: failure.attempts,
      lastError: failure.lastError,
      ...durationOf(failure),
      updatedAt: isoTime(at),
      nextAttemptAt: isoTime(at + failure.retryInMs),
    });
  }

  /** No attempt is left, or none may be made: dead (a transport that keeps dead letters can replay it). */
  async dead(deliveryId: string, failure: AttemptFailure): Promise<void> {
    await this.write(deliveryId, {
      status: 'dead',
      attempts: failure.attempts,
      lastError: failure.lastError,
      ...durationOf(failure),
      updatedAt: isoTime(failure.at ?? Date.now()),
      nextAttemptAt: null,
    });
  }

  /** Shutdown cut the attempt short: `failed` with the attempts made before it, and runs again. */
  async interrupted(deliveryId: string, attempts: number, lastError: string): Promise<void> {
    await this.write(deliveryId, {
      status: 'failed',
      attempts,
      lastError,
      updatedAt: isoTime(),
      nextAttemptAt: null,
    });
  }

  /** A transport could not finish it before the process ended (`why` says where it was). */
  async abandoned(deliveryId: string, why: string): Promise<void> {
    await this.write(deliveryId, {
      status: 'failed',
      lastError: `SHUTDOWN: not finished at shutdown (${why})`,
      updatedAt: isoTime(),
      nextAttemptAt: null,
    });
  }

  /** A dead delivery replayed: pending, with every attempt available again. */
  async replayed(deliveryId: string): Promise<void> {
    await this.write(deliveryId, {
      status: 'pending',
      attempts: 0,
      updatedAt: isoTime(),
      nextAttemptAt: null,
    });
  }
}

function nothing(): void {}

/** A fresh record for a delivery that is about to be enqueued. */
function pendingRecord(job: DeliveryJob, now: Date): DeliveryRecord {
  const at = isoTime(now.getTime());
  return {
    id: job.deliveryId,
    eventId: job.event.id,
    tenant: job.event.tenant,
    consumer: job.consumerId,
    kind: job.kind,
    status: 'pending',
    attempts: job.attempts,
    lastError: null,
    createdAt: at,
    updatedAt: at,
    durationMs: null,
    nextAttemptAt: null,
  };
}

function durationOf(failure: AttemptFailure): Pick<DeliveryRecord, 'durationMs'> | Record<string, never> {
  return failure.durationMs === undefined ? {} : { durationMs: failure.durationMs };
}
