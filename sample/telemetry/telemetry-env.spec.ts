import { EnvInvalidError } from '../app-env';
import { metricsFromEnv, prometheusExporter } from './prometheus';
import { trace } from '@opentelemetry/api';
import { DiscardingSpanExporter, startTracingFromEnv } from './tracing';

describe('HOOKLINE_METRICS', () => {
  it('is off when unset: no metrics option, no /metrics route', () => {
    expect(metricsFromEnv({})).toBeUndefined();
    expect(prometheusExporter({})).toBeUndefined();
  });

  it('names the variable and the value it takes when set to anything else', () => {
    expect(() => metricsFromEnv({ HOOKLINE_METRICS: 'on' })).toThrow(EnvInvalidError);
    expect(() => metricsFromEnv({ HOOKLINE_METRICS: 'on' })).toThrow('HOOKLINE_METRICS must be "prometheus" (or unset), received "on".');
    expect(prometheusExporter({ HOOKLINE_METRICS: 'on' })).toBeUndefined();
  });
});

describe('HOOKLINE_TRACES', () => {
  it('is off when unset, and names the variable and the value it takes when set to anything else', () => {
    expect(() => startTracingFromEnv({})).not.toThrow();
    expect(() => startTracingFromEnv({ HOOKLINE_TRACES: 'otlp' })).toThrow('HOOKLINE_TRACES must be "console" or "discard" (or unset), received "otlp".');
  });

  it('discard: a real SDK whose batch processor hands finished spans to an exporter that drops them', async () => {
    startTracingFromEnv({ HOOKLINE_TRACES: 'discard' });
    const span = trace.getTracer('test').startSpan('hookline.test');
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanContext().traceId).not.toBe('0'.repeat(32));
    span.end();
    const provider = trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void>; shutdown(): Promise<void> } };
    await provider.getDelegate().forceFlush();
    expect(DiscardingSpanExporter.exported).toBe(1);
    await provider.getDelegate().shutdown();
    trace.disable();
  });
});
