/**
 * The cost of turning on an OpenTelemetry SDK: the same work with no SDK registered (Hookline's calls are
 * the API's no-ops) and with one registered as a host's NodeSDK would (AsyncLocalStorage context, W3C
 * propagator, every span sampled into a batch processor, a metric reader). The global providers cannot be
 * swapped back and forth in one process, so each side runs in fresh child processes, alternately.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { setImmediate as tick } from 'node:timers/promises';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator, ExportResultCode } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { createUserRegisteredEvent, HooklineModule, HooklineService, USER_REGISTERED } from 'hookline';
import { defineConnector, z } from 'hookline/sdk';
import { machine, summarize, table, printAndExit } from './stats';

const PROCESSES_PER_SIDE = 3;
const EMITS = 2_000;
const EVENTS = 1_000;
const CONSUMERS = 5;

let delivered = 0;
/** Does nothing, fast: what is measured is Hookline's own cost (and its telemetry's). */
const noop = defineConnector({ type: 'noop', displayName: 'No-op', config: z.strictObject({}), deliver: async () => void delivered++ });

/** Takes every span and drops it, as an exporter to a collector would after sending. */
class DiscardingExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.spans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

class IdleReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

function registerSdk(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new DiscardingExporter() })] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new IdleReader()] }));
}

async function boot(): Promise<INestApplication> {
  const config = { tenants: { acme: { connectors: Array.from({ length: CONSUMERS }, (_, i) => ({ type: 'noop', name: `c${i}` })) } } };
  @Module({ imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config, connectors: [noop], logger: false, watchConfig: false })] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  return app as unknown as INestApplication;
}

interface SideResult {
  emitUs: number[];
  publishUs: number[];
  deliveriesPerSecond: number;
}

/** One side in this process: a warm-up, then emits, publishes and a full delivery run. */
async function runSide(withSdk: boolean): Promise<SideResult> {
  if (withSdk) registerSdk();
  const app = await boot();
  const emitter = app.get(EventEmitter2);
  const hookline = app.get(HooklineService);
  const event = (i: number) => createUserRegisteredEvent({ tenant: 'acme', user: { id: `u${i}`, email: `u${i}@example.com` } });
  const drain = async (target: number) => {
    while (delivered < target) await new Promise((r) => setTimeout(r, 1));
  };
  for (let i = 0; i < 500; i++) await hookline.publish(event(i)); // warm-up
  await drain(500 * CONSUMERS);

  const emitUs: number[] = [];
  for (let i = 0; i < EMITS; i++) {
    const e = event(i);
    const start = process.hrtime.bigint();
    emitter.emit(USER_REGISTERED, e);
    emitUs.push(Number(process.hrtime.bigint() - start) / 1_000);
    if (i % 50 === 49) await tick();
  }
  await drain((500 + EMITS) * CONSUMERS);

  const publishUs: number[] = [];
  const before = delivered;
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) {
    const e = event(i);
    const start = process.hrtime.bigint();
    await hookline.publish(e);
    publishUs.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  await drain(before + EVENTS * CONSUMERS);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await app.close();
  return { emitUs, publishUs, deliveriesPerSecond: (EVENTS * CONSUMERS) / seconds };
}

export async function main(): Promise<string> {
  const sides = { off: [] as SideResult[], on: [] as SideResult[] };
  for (let i = 0; i < PROCESSES_PER_SIDE; i++) {
    for (const side of ['off', 'on'] as const) {
      const out = execFileSync(process.execPath, ['--no-node-snapshot', __filename, side], { encoding: 'utf8' });
      sides[side].push(JSON.parse(out) as SideResult);
    }
  }
  const row = (label: string, results: SideResult[]) => {
    const emit = summarize(results.flatMap((r) => r.emitUs));
    const publish = summarize(results.flatMap((r) => r.publishUs));
    const rates = results.map((r) => r.deliveriesPerSecond).sort((a, b) => a - b);
    return [label, emit.median, emit.p99, publish.median, publish.p99, rates[Math.floor(rates.length / 2)]];
  };
  return [
    `## OpenTelemetry SDK off and on (${machine()})`,
    '',
    `${PROCESSES_PER_SIDE} fresh processes per side, alternately; each: ${EMITS} emits, ${EVENTS} publishes to ${CONSUMERS} no-op consumers (inline).`,
    '',
    table(
      ['SDK', 'emit median µs', 'emit p99 µs', 'publish median µs', 'publish p99 µs', 'deliveries/s (median run)'],
      [row('none (API no-ops)', sides.off), row('registered, every span sampled', sides.on)],
    ),
    '',
  ].join('\n');
}

if (require.main === module) {
  const side = process.argv[2];
  if (side === 'off' || side === 'on') {
    printAndExit(runSide(side === 'on').then((result) => JSON.stringify(result)));
  } else {
    printAndExit(main());
  }
}
