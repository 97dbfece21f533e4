/**
 * Names of Hookline's instruments, spans and attributes: a contract (docs/observability.md). Prometheus
 * names are what `@opentelemetry/exporter-prometheus` makes of these with its defaults: dots become
 * underscores and monotonic counters gain `_total` (no unit suffix is added, hence `duration_seconds`).
 */
export const INSTRUMENTS = {
  /** Counter: `hookline_delivery_attempts_total{consumer_type, outcome}`. */
  attempts: 'hookline.delivery.attempts',
  /** Counter: `hookline_deliveries_completed_total{consumer_type, outcome}`. */
  completed: 'hookline.deliveries.completed',
  /** Histogram (s): `hookline_delivery_attempt_duration_seconds{consumer_type, outcome}`. */
  attemptDuration: 'hookline.delivery.attempt.duration_seconds',
  /** Gauge: `hookline_deliveries_waiting{consumer_type}`. */
  waiting: 'hookline.deliveries.waiting',
  /** Counter: `hookline_sandbox_invocations_total{status}`. */
  sandboxInvocations: 'hookline.sandbox.invocations',
  /** Gauge: `hookline_sandbox_workers`. */
  sandboxWorkers: 'hookline.sandbox.workers',
  /** Gauge: `hookline_destination_circuits_open`. */
  circuitsOpen: 'hookline.destination.circuits.open',
} as const;

export const SPANS = {
  dispatch: 'hookline.dispatch',
  deliver: 'hookline.deliver',
  hookFetch: 'hookline.hook.fetch',
} as const;

/** Span attributes (metrics use the plain labels `consumer_type`, `outcome`, `status`, `tenant`). */
export const ATTRIBUTES = {
  tenant: 'hookline.tenant',
  eventId: 'hookline.event.id',
  eventName: 'hookline.event.name',
  deliveries: 'hookline.deliveries',
  deliveryId: 'hookline.delivery.id',
  consumerId: 'hookline.consumer.id',
  consumerType: 'hookline.consumer.type',
  attempt: 'hookline.delivery.attempt',
  outcome: 'hookline.delivery.outcome',
  refused: 'hookline.fetch.refused',
  httpStatus: 'http.response.status_code',
  httpMethod: 'http.request.method',
  url: 'url.full',
  errorType: 'error.type',
} as const;

/** What one attempt came to, as `hookline_delivery_attempts_total` labels it. */
export type AttemptOutcome = 'succeeded' | 'retryable_failure' | 'permanent_failure' | 'deferred';

/** Bucket bounds of the attempt duration histogram, in seconds: 5 ms to a minute (a hook's longest timeout). */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
