import { SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { ConnectorRequestError, type DeliveryError } from '../errors/delivery.errors';
import { ATTRIBUTES, type AttemptOutcome } from './telemetry.names';

/** Where an attempt reports (HooklineTelemetry): whether it still waits, and its metrics. */
export interface AttemptRecorder {
  /** Whether metrics are recorded at all (false: no MeterProvider). */
  readonly metering: boolean;
  release(attempt: AttemptTrace): void;
  recordAttempt(consumerType: string, tenant: string, outcome: AttemptOutcome, durationMs: number | undefined): void;
  recordCompleted(consumerType: string, tenant: string, outcome: 'succeeded' | 'dead'): void;
}

/** What an attempt's telemetry needs of its job (a DeliveryJob). */
export interface AttemptJob {
  deliveryId: string;
  consumerId: string;
  event: { id: string; tenant: string };
  attempts: number;
  /** The dispatch's W3C trace context. */
  trace?: Record<string, string>;
}

/** The context a delivery's request runs in (its headers carry it), and where its HTTP status goes. */
export interface RequestTrace {
  readonly context: Context;
  status(code: number): void;
}

/**
 * One attempt's span and metrics. The executor says when the request starts and how it ended; `end`
 * records the outcome from the attempt's result (deferred, or dead without an attempt, included).
 */
export class AttemptTrace implements RequestTrace {
  readonly consumerId: string;
  private readonly tenant: string;
  private attempted?: { outcome: AttemptOutcome; durationMs: number };
  private httpStatus?: number;
  private ended = false;
  /** An admin API test send (`test_…`) has its span, but stays out of the delivery metrics. */
  private readonly counted: boolean;

  constructor(
    private readonly telemetry: AttemptRecorder,
    job: AttemptJob,
    private readonly span: Span,
    /** The deliver span's context: the request runs in it and its headers carry it. */
    readonly context: Context,
  ) {
    this.consumerId = job.consumerId;
    this.tenant = job.event.tenant;
    this.counted = telemetry.metering && !job.deliveryId.startsWith('test_');
  }

  /** The HTTP status the destination answered (the last one, for a connector making several requests). */
  status(code: number): void {
    this.httpStatus = code;
  }

  /** Its request starts: no longer waiting. */
  requestStarted(): void {
    this.telemetry.release(this);
  }

  succeeded(durationMs: number): void {
    this.attempted = { outcome: 'succeeded', durationMs };
  }

  failed(error: DeliveryError, durationMs: number): void {
    this.attempted = { outcome: error.retryable ? 'retryable_failure' : 'permanent_failure', durationMs };
    if (error instanceof ConnectorRequestError) this.httpStatus = error.status;
    this.span.setAttribute(ATTRIBUTES.errorType, error.code);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }

  /** The attempt is over with this result (undefined: the executor itself threw). */
  end(status: 'succeeded' | 'failed' | 'dead' | 'deferred' | undefined, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.telemetry.release(this);
    const outcome = status === 'deferred' ? 'deferred' : this.attempted?.outcome;
    if (this.counted) {
      const type = consumerTypeOf(this.consumerId);
      if (outcome) this.telemetry.recordAttempt(type, this.tenant, outcome, outcome === 'deferred' ? undefined : this.attempted?.durationMs);
      if (status === 'succeeded' || status === 'dead') this.telemetry.recordCompleted(type, this.tenant, status);
    }
    // Dead without an attempt (an open circuit for too long, too many waiting): `dead`, an error.
    const shown = outcome ?? (status === 'dead' ? 'dead' : undefined);
    if (shown) this.span.setAttribute(ATTRIBUTES.outcome, shown);
    if (shown === 'dead') this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'dead without an attempt' });
    if (this.httpStatus !== undefined) this.span.setAttribute(ATTRIBUTES.httpStatus, this.httpStatus);
    if (error !== undefined) {
      this.span.recordException(error as Error);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    }
    this.span.end();
  }
}

/** `webhook` of `acme/webhook/crm`, `hook` of `acme/hook/notify`. */
export function consumerTypeOf(consumerId: string): string {
  const first = consumerId.indexOf('/');
  const second = consumerId.indexOf('/', first + 1);
  return first < 0 || second < 0 ? 'unknown' : consumerId.slice(first + 1, second);
}
