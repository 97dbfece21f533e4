import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { EnvInvalidError } from '../app-env';

let started = false;

/**
 * Takes finished spans and drops them: what an SDK with an OTLP exporter costs the app up to the export,
 * without a collector to send to. Counts what it was handed, so a test can see that spans got this far.
 */
export class DiscardingSpanExporter implements SpanExporter {
  static exported = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    DiscardingSpanExporter.exported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

/**
 * `HOOKLINE_TRACES=console` registers a tracer provider that prints every span to stdout, with what
 * traces need (AsyncLocalStorage context, the W3C propagator): enough to see a sign-up's
 * `hookline.dispatch` and `hookline.deliver` spans and, at a receiver, the same trace id in `traceparent`.
 * `HOOKLINE_TRACES=discard` registers the same with a batch processor whose exporter drops the spans: the
 * cost of tracing as a production SDK has it (batched, off the request path), for the benchmarks.
 * A real app registers its SDK with an OTLP exporter instead (docs/observability.md).
 */
export function startTracingFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const value = env.HOOKLINE_TRACES;
  if (!value) return;
  if (value !== 'console' && value !== 'discard') throw new EnvInvalidError(`HOOKLINE_TRACES must be "console" or "discard" (or unset), received ${JSON.stringify(value)}.`);
  if (started) return;
  started = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processor = value === 'console' ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }) : new BatchSpanProcessor({ exporter: new DiscardingSpanExporter() });
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [processor] }));
}
