import { context, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

/** A metric reader that collects when asked. */
class CollectingReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** One data point as a test reads it: a counter's or gauge's value, a histogram's count and sum. */
export interface MetricPoint {
  name: string;
  attributes: Attributes;
  value: number;
  /** Histograms only. */
  count?: number;
}

/** A MeterProvider whose metrics are read when asked: what a Prometheus scrape would see, in memory. */
export class MemoryMetrics {
  private readonly reader = new CollectingReader();
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });

  async points(name: string): Promise<MetricPoint[]> {
    const { resourceMetrics } = await this.reader.collect();
    const points: MetricPoint[] = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints) {
          if (metric.dataPointType === DataPointType.HISTOGRAM) {
            const h = point.value as { count: number; sum?: number };
            points.push({ name, attributes: point.attributes, value: h.sum ?? 0, count: h.count });
          } else points.push({ name, attributes: point.attributes, value: point.value as number });
        }
      }
    }
    return points;
  }

  /** The value (a histogram's count) of the one point with exactly these attributes; undefined when there is none. */
  async value(name: string, attributes: Attributes): Promise<number | undefined> {
    const key = JSON.stringify(sorted(attributes));
    const point = (await this.points(name)).find((p) => JSON.stringify(sorted(p.attributes)) === key);
    return point && (point.count ?? point.value);
  }

  shutdown(): Promise<void> {
    return this.meterProvider.shutdown();
  }
}

/**
 * A real OpenTelemetry SDK for one test file (Jest gives each file its own globals), registered globally as
 * a host's NodeSDK would be: a tracer provider exporting to memory, AsyncLocalStorage context, the W3C
 * propagator, and a meter provider read on demand.
 */
export class TestTelemetry {
  readonly spanExporter = new InMemorySpanExporter();
  readonly metrics = new MemoryMetrics();
  readonly tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: this.spanExporter })] });

  static install(): TestTelemetry {
    const t = new TestTelemetry();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(t.tracerProvider);
    metrics.setGlobalMeterProvider(t.metrics.meterProvider);
    return t;
  }

  spans(name?: string): ReadableSpan[] {
    const spans = this.spanExporter.getFinishedSpans();
    return name ? spans.filter((s) => s.name === name) : spans;
  }

  async shutdown(): Promise<void> {
    await this.tracerProvider.shutdown();
    await this.metrics.shutdown();
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  }
}

function sorted(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b)));
}
