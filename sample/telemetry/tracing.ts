import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { EnvInvalidError } from '../app-env';

let started = false;

/**
 * `HOOKLINE_TRACES=console` registers a tracer provider that prints every span to stdout, with what
 * traces need (AsyncLocalStorage context, the W3C propagator): enough to see a sign-up's
 * `hookline.dispatch` and `hookline.deliver` spans and, at a receiver, the same trace id in `traceparent`.
 * A real app registers its SDK with an OTLP exporter instead (docs/observability.md).
 */
export function startTracingFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const value = env.HOOKLINE_TRACES;
  if (!value) return;
  if (value !== 'console') throw new EnvInvalidError(`HOOKLINE_TRACES must be "console" (or unset), received ${JSON.stringify(value)}.`);
  if (started) return;
  started = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })] }));
}
