import {
  context,
  createNoopMeter,
  INVALID_SPAN_CONTEXT,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type BatchObservableCallback,
  type Context,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type ObservableGauge,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { readPackageVersion } from '../util/package-version';
import { AttemptTrace, consumerTypeOf, type AttemptJob, type AttemptRecorder } from './attempt-trace';
import { ATTRIBUTES, DURATION_BUCKETS_S, INSTRUMENTS, SPANS, type AttemptOutcome } from './telemetry.names';

export interface MetricsOptions {
  /**
   * Adds a `tenant` label to every per-delivery metric. Each tenant multiplies the series: with
   * thousands of tenants this explodes the cardinality of your metrics backend. Traces always carry the tenant.
   * @default false
   */
  tenantLabel?: boolean;
  /** Where instruments are created. @default the global MeterProvider when the module starts */
  meterProvider?: MeterProvider;
}

/** W3C trace context (`traceparent`, `tracestate`) of a dispatch, carried with its deliveries. */
export type TraceCarrier = Record<string, string>;

/** Deliveries of one consumer waiting (queued, delayed, parked, or held for a slot, batch or pace turn). */
export interface WaitingCount {
  consumerId: string;
  count: number;
}

/** What the observable gauges read at each collection. Each source is optional (a host's own sandbox has no workers to count). */
export interface TelemetrySources {
  waiting?(): Promise<WaitingCount[]>;
  sandboxWorkers?(): number;
  /** The tenant of each open (or half-open) destination circuit. */
  openCircuits?(): Promise<string[]>;
}

const SCOPE = 'hookline';
const VERSION = readPackageVersion(__dirname);
const NOOP_METER = createNoopMeter().constructor;
const DISPATCH_SPAN = { kind: SpanKind.PRODUCER };
const DELIVER_SPAN = { kind: SpanKind.CONSUMER };

/**
 * Hookline's metrics and spans, through `@opentelemetry/api` only: the host registers an SDK (and its
 * exporters) or not. Without one, every call here is the API's no-op. Instruments are created once, with
 * the module. Names: telemetry.names.ts and docs/observability.md.
 */
export class HooklineTelemetry implements AttemptRecorder {
  readonly tenantLabel: boolean;
  /** False with no MeterProvider when the module started: its instruments are no-ops, so nothing is even counted. */
  readonly metering: boolean;
  private readonly meter: Meter;
  private readonly tracer: Tracer;
  private readonly attempts: Counter;
  private readonly completed: Counter;
  private readonly duration: Histogram;
  private readonly invocations: Counter;
  private readonly gauges: { waiting: ObservableGauge; workers: ObservableGauge; circuits: ObservableGauge };
  private observer?: BatchObservableCallback;
  /** Attempts inside the executor whose request has not started (waiting for a slot, a batch, a pace turn). */
  private readonly held = new Set<AttemptTrace>();

  constructor(options: MetricsOptions = {}) {
    this.tenantLabel = options.tenantLabel ?? false;
    this.meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
    this.metering = !(this.meter instanceof NOOP_METER);
    this.tracer = trace.getTracer(SCOPE, VERSION);
    const m = this.meter;
    this.attempts = m.createCounter(INSTRUMENTS.attempts, { description: 'Delivery attempts, by outcome (deferred: not attempted, no attempt used).', unit: '{attempt}' });
    this.completed = m.createCounter(INSTRUMENTS.completed, { description: 'Deliveries finished: succeeded, or dead (after their last attempt, or without one).', unit: '{delivery}' });
    this.duration = m.createHistogram(INSTRUMENTS.attemptDuration, {
      description: 'Duration of delivery attempts that made a request (waiting for a slot, batch or pace turn excluded).',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
    });
    this.invocations = m.createCounter(INSTRUMENTS.sandboxInvocations, { description: 'Hook invocations in the sandbox, by status.', unit: '{invocation}' });
    this.gauges = {
      waiting: m.createObservableGauge(INSTRUMENTS.waiting, { description: 'Deliveries not finished and not in a request: queued, delayed for a retry, parked, or held for a slot.', unit: '{delivery}' }),
      workers: m.createObservableGauge(INSTRUMENTS.sandboxWorkers, { description: 'Sandbox worker processes running.', unit: '{worker}' }),
      circuits: m.createObservableGauge(INSTRUMENTS.circuitsOpen, { description: 'Destination circuits open or half open (probing).', unit: '{circuit}' }),
    };
  }

  /** Registers what the gauges read (once the transport and sandbox exist). */
  observe(sources: TelemetrySources): void {
    this.stopObserving();
    this.observer = async (result) => {
      const [waiting, circuits] = await Promise.all([
        sources.waiting?.().catch(() => undefined),
        sources.openCircuits?.().catch(() => undefined),
      ]);
      const byLabels = new Map<string, { attributes: Attributes; count: number }>();
      const add = (consumerId: string, count: number) => {
        const attributes = this.labels(consumerTypeOf(consumerId), tenantOf(consumerId));
        const key = JSON.stringify(attributes);
        const entry = byLabels.get(key) ?? { attributes, count: 0 };
        entry.count += count;
        byLabels.set(key, entry);
      };
      for (const { consumerId, count } of waiting ?? []) add(consumerId, count);
      for (const trace of this.held) add(trace.consumerId, 1);
      for (const { attributes, count } of byLabels.values()) result.observe(this.gauges.waiting, count, attributes);
      const workers = sources.sandboxWorkers?.();
      if (workers !== undefined) result.observe(this.gauges.workers, workers);
      if (circuits) {
        if (!this.tenantLabel) result.observe(this.gauges.circuits, circuits.length);
        else for (const [tenant, count] of countBy(circuits)) result.observe(this.gauges.circuits, count, { tenant });
      }
    };
    this.meter.addBatchObservableCallback(this.observer, Object.values(this.gauges));
  }

  /** Stops the gauges' callbacks (the module is closing: its transport and sandbox go away). */
  stopObserving(): void {
    if (this.observer) this.meter.removeBatchObservableCallback(this.observer, Object.values(this.gauges));
    this.observer = undefined;
  }

  onModuleDestroy(): void {
    this.stopObserving();
  }

  /**
   * Runs a dispatch inside its `hookline.dispatch` span, a child of the active span (the host's request,
   * when emit/publish is called in one). `run` gets the W3C carrier its deliveries take along.
   */
  async dispatch<T>(eventName: string, event: { id: string; tenant: string }, run: (carrier: TraceCarrier | undefined) => Promise<T & { deliveryIds: string[] }>): Promise<T & { deliveryIds: string[] }> {
    const parent = context.active();
    const span = this.tracer.startSpan(SPANS.dispatch, DISPATCH_SPAN, parent);
    if (span.isRecording()) span.setAttributes({ [ATTRIBUTES.eventName]: eventName, [ATTRIBUTES.eventId]: event?.id, [ATTRIBUTES.tenant]: event?.tenant });
    const ctx = withSpan(parent, span);
    try {
      const result = await context.with(ctx, () => run(ctx === parent ? undefined : carrierOf(ctx)));
      span.setAttribute(ATTRIBUTES.deliveries, result.deliveryIds.length);
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Starts the `hookline.deliver` span of one attempt: a child of its dispatch (the job's carrier, across
   * processes on bullmq), else of the active span (a test send from an admin request).
   */
  startAttempt(job: AttemptJob): AttemptTrace {
    const parent = job.trace ? propagation.extract(ROOT_CONTEXT, job.trace) : context.active();
    const span = this.tracer.startSpan(SPANS.deliver, DELIVER_SPAN, parent);
    if (span.isRecording()) {
      span.setAttributes({
        [ATTRIBUTES.tenant]: job.event.tenant,
        [ATTRIBUTES.consumerId]: job.consumerId,
        [ATTRIBUTES.consumerType]: consumerTypeOf(job.consumerId),
        [ATTRIBUTES.deliveryId]: job.deliveryId,
        [ATTRIBUTES.eventId]: job.event.id,
        [ATTRIBUTES.attempt]: job.attempts + 1,
      });
    }
    const attempt = new AttemptTrace(this, job, span, withSpan(parent, span));
    if (this.metering) this.held.add(attempt);
    return attempt;
  }

  /** @internal AttemptTrace's report: the attempt's request started, or the attempt is over. */
  release(attempt: AttemptTrace): void {
    if (this.metering) this.held.delete(attempt);
  }

  /** @internal */
  recordAttempt(consumerType: string, tenant: string, outcome: AttemptOutcome, durationMs: number | undefined): void {
    if (!this.metering) return;
    const labels = { ...this.labels(consumerType, tenant), outcome };
    this.attempts.add(1, labels);
    if (durationMs !== undefined) this.duration.record(durationMs / 1000, labels);
  }

  /** @internal */
  recordCompleted(consumerType: string, tenant: string, outcome: 'succeeded' | 'dead'): void {
    if (!this.metering) return;
    this.completed.add(1, { ...this.labels(consumerType, tenant), outcome });
  }

  /** One hook invocation's status (`ok`, `error`, `timeout`, `memory_limit`). */
  sandboxInvocation(status: string, tenant: string): void {
    if (!this.metering) return;
    this.invocations.add(1, this.tenantLabel ? { status, tenant } : { status });
  }

  /**
   * A `hookline.hook.fetch` span for one request a hook made, reported by the sandbox once it is over:
   * its start is back-dated by its duration. `url` is already redacted of the hook's secrets.
   */
  hookRequest(parent: Context, request: { method: string; url: string; status: number | null; durationMs: number; refused: boolean; error: string | null }): void {
    const end = Date.now();
    const span = this.tracer.startSpan(
      SPANS.hookFetch,
      {
        kind: SpanKind.CLIENT,
        startTime: end - request.durationMs,
        attributes: {
          [ATTRIBUTES.httpMethod]: request.method,
          [ATTRIBUTES.url]: request.url,
          [ATTRIBUTES.refused]: request.refused,
          ...(request.status !== null ? { [ATTRIBUTES.httpStatus]: request.status } : {}),
        },
      },
      parent,
    );
    if (request.error !== null || (request.status !== null && request.status >= 400)) {
      span.setStatus({ code: SpanStatusCode.ERROR, ...(request.error ? { message: request.error } : {}) });
      span.setAttribute(ATTRIBUTES.errorType, request.refused ? 'refused' : request.status !== null ? String(request.status) : 'network');
    }
    span.end(end);
  }

  private labels(consumerType: string, tenant: string): Attributes {
    return this.tenantLabel ? { consumer_type: consumerType, tenant } : { consumer_type: consumerType };
  }
}

/**
 * The context with the span, or the parent itself when the span carries nothing (no SDK: the no-op
 * tracer's span has the invalid context), which spares the hot path a context per call.
 */
function withSpan(parent: Context, span: Span): Context {
  return span.spanContext() === INVALID_SPAN_CONTEXT ? parent : trace.setSpan(parent, span);
}

/** The W3C headers of a context, through the host's propagator (none registered: empty, so undefined). */
export function carrierOf(ctx: Context): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

function tenantOf(consumerId: string): string {
  const slash = consumerId.indexOf('/');
  return slash < 0 ? consumerId : consumerId.slice(0, slash);
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
