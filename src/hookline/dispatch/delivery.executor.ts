import type { ConfigRegistry } from '../config/config.registry';
import type { Consumer } from '../config/config.model';
import { createHttpClient } from '../connectors/http-client';
import type { ConnectorContext, ConnectorLogger, DeliveryOutcome } from '../connectors/sdk';
import { DeliveryError, DeliveryTimeoutError, PermanentError, RetryableError } from '../errors/delivery.errors';
import type { HooklineLogger, LogFields } from '../logging/hookline.logger';
import type { DeliveryJob, DeliveryRecord } from './delivery';
import type { DeliveryLog } from './delivery-log';
import { classifyError, messageOf } from './error-classifier';
import { nextRetryDelayMs } from './retry.policy';

export type AttemptResult =
  | { status: 'succeeded' }
  | { status: 'failed'; retryInMs: number }
  | { status: 'dead' };

/**
 * Runs one attempt of one delivery: looks the consumer up in the current config, runs it under a
 * timeout (an AbortSignal), records the outcome and logs one line. Never throws: a consumer's failure
 * is data, and the transport only learns whether and when to try again.
 */
export class DeliveryExecutor {
  constructor(
    private readonly config: ConfigRegistry,
    private readonly deliveries: DeliveryLog,
    private readonly logger: HooklineLogger,
    /** Aborted at shutdown, once the drain time is over: in-flight attempts are told to stop. */
    private readonly shutdown: AbortSignal,
  ) {}

  async attempt(job: DeliveryJob): Promise<AttemptResult> {
    const attempt = job.attempts + 1;
    const fields: LogFields = {
      tenant: job.event.tenant,
      consumer: job.consumerId,
      eventId: job.event.id,
      deliveryId: job.deliveryId,
      attempt,
    };
    const consumer = this.config.consumer(job.consumerId);
    const startedAt = Date.now();
    if (!consumer) {
      const error = new PermanentError('the consumer is no longer enabled in the config', { code: 'CONSUMER_GONE' });
      return this.fail(job, attempt, fields, error, startedAt, undefined);
    }
    await this.deliveries.update(job.deliveryId, {
      status: 'running',
      attempts: attempt,
      updatedAt: new Date(startedAt).toISOString(),
      nextAttemptAt: null,
    });
    try {
      const outcome = await this.run(consumer, job, attempt);
      const durationMs = Date.now() - startedAt;
      await this.deliveries.update(job.deliveryId, {
        status: 'succeeded',
        durationMs,
        updatedAt: new Date().toISOString(),
        ...(outcome && outcome.detail ? { detail: outcome.detail } : {}),
      });
      this.logger.debug('delivery succeeded', { ...fields, durationMs });
      return { status: 'succeeded' };
    } catch (thrown) {
      return this.fail(job, attempt, fields, classifyError(thrown), startedAt, consumer);
    }
  }

  private async run(consumer: Consumer, job: DeliveryJob, attempt: number): Promise<DeliveryOutcome | void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeliveryTimeoutError(consumer.timeoutMs)), consumer.timeoutMs);
    const onShutdown = () => controller.abort(new RetryableError('the app shut down during the attempt'));
    if (this.shutdown.aborted) onShutdown();
    this.shutdown.addEventListener('abort', onShutdown, { once: true });
    const signal = controller.signal;
    const ctx: ConnectorContext = {
      signal,
      timeoutMs: consumer.timeoutMs,
      log: this.consumerLogger(consumer, job),
      http: createHttpClient(signal),
      delivery: { id: job.deliveryId, eventId: job.event.id, tenant: job.event.tenant, consumerId: consumer.id, attempt },
    };
    try {
      // The race makes a consumer that ignores its signal time out all the same.
      return await Promise.race([
        consumer.plugin.deliver(job.event, consumer.config, ctx),
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      ]);
    } catch (error) {
      // An error raised because we aborted is reported as the abort's reason, not as what the client made of it.
      throw signal.aborted && !(error instanceof DeliveryError) ? signal.reason : error;
    } finally {
      clearTimeout(timer);
      this.shutdown.removeEventListener('abort', onShutdown);
    }
  }

  private async fail(
    job: DeliveryJob,
    attempt: number,
    fields: LogFields,
    error: DeliveryError,
    startedAt: number,
    consumer: Consumer | undefined,
  ): Promise<AttemptResult> {
    const durationMs = Date.now() - startedAt;
    const retryInMs = consumer ? nextRetryDelayMs(error, attempt, consumer.retry) : null;
    const lastError = this.logger.redactor.redact(`${error.code}: ${messageOf(error)}`);
    const now = Date.now();
    await this.deliveries.update(job.deliveryId, {
      status: retryInMs === null ? 'dead' : 'failed',
      attempts: attempt,
      lastError,
      durationMs,
      updatedAt: new Date(now).toISOString(),
      nextAttemptAt: retryInMs === null ? null : new Date(now + retryInMs).toISOString(),
    });
    const line = { ...fields, durationMs, error: lastError, retryable: error.retryable };
    if (retryInMs === null) {
      this.logger.error('delivery dead', { ...line, maxAttempts: consumer?.retry.maxAttempts });
      return { status: 'dead' };
    }
    this.logger.warn('delivery attempt failed', { ...line, retryInMs });
    return { status: 'failed', retryInMs };
  }

  private consumerLogger(consumer: Consumer, job: DeliveryJob): ConnectorLogger {
    const base = { tenant: consumer.tenant, consumer: consumer.id, eventId: job.event.id };
    return {
      debug: (m, f) => this.logger.debug(m, { ...base, ...f }),
      info: (m, f) => this.logger.info(m, { ...base, ...f }),
      warn: (m, f) => this.logger.warn(m, { ...base, ...f }),
      error: (m, f) => this.logger.error(m, { ...base, ...f }),
    };
  }
}

/** A fresh record for a delivery that is about to be enqueued. */
export function pendingRecord(job: DeliveryJob, now = new Date()): DeliveryRecord {
  const at = now.toISOString();
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
