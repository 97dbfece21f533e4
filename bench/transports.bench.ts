/**
 * Transports: the same workload through `inline` and `bullmq`, side by side in one run. One webhook
 * consumer (signed, real HTTP) on a receiver in this process, concurrency 16.
 *  1. flood: N events published with `publish` (64 at a time) as fast as they are accepted:
 *     events/s (first publish to last delivery) and enqueue-to-delivery p50/p99 (mostly backlog).
 *  2. paced: PACED events at about PACED_RATE/s, well under capacity: enqueue-to-delivery p50/p99
 *     without a backlog, i.e. what the transport itself adds.
 * The two transports alternate, round after round (each round boots a fresh app), and the medians of
 * the rounds are reported, so that a noisy neighbour skews both sides alike.
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_EVENTS (default 10000), BENCH_ROUNDS (default 3),
 * BENCH_MAX_IN_FLIGHT (the destination's cap, `maxInFlightPerDestination`; default: the module's, 4).
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { performance } from 'node:perf_hooks';
import { createUserRegisteredEvent, HooklineModule, HooklineService, type TransportOptions } from 'hookline';
import { Receiver } from '../test/support/receiver';
import { deleteKeys } from '../test/support/redis';
import { machine, median, percentile, table } from './stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAX_IN_FLIGHT = process.env.BENCH_MAX_IN_FLIGHT ? Number(process.env.BENCH_MAX_IN_FLIGHT) : undefined;
if (MAX_IN_FLIGHT !== undefined && !(Number.isInteger(MAX_IN_FLIGHT) && MAX_IN_FLIGHT >= 1)) {
  throw new Error(`BENCH_MAX_IN_FLIGHT: expected an integer >= 1, received ${JSON.stringify(process.env.BENCH_MAX_IN_FLIGHT)}.`);
}
const WARMUP = 200;
const PARALLEL_PUBLISHES = 64;
const PACED = 1_000;
const PACED_RATE = 200;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'whsec_' + Buffer.from('hookline-bench-secret-0123').toString('base64');

interface Result {
  transport: string;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  pacedP50: number;
  pacedP99: number;
}

/** Arrival bookkeeping of one phase: latency from `publish` to the receiver, per event. */
class Phase {
  readonly sentAt = new Map<string, number>();
  readonly latencies: number[] = [];
  lastArrival = 0;
  private wake?: () => void;
  readonly done: Promise<void>;

  constructor(readonly expected: number) {
    this.done = new Promise((r) => (this.wake = r));
  }

  arrived(eventId: string): void {
    const sent = this.sentAt.get(eventId);
    if (sent === undefined) return;
    this.lastArrival = performance.now();
    this.latencies.push(this.lastArrival - sent);
    if (this.latencies.length === this.expected) this.wake!();
  }

  percentile(p: number): number {
    return percentile([...this.latencies].sort((a, b) => a - b), p);
  }
}

/** The receiver: answers 204 at once and notes when each event arrived. */
function startReceiver(onArrival: (eventId: string) => void): Promise<Receiver> {
  return Receiver.start({ answer: ({ eventId }) => (onArrival(eventId), { status: 204 }) });
}

function benchModule(url: string, transport: TransportOptions): DynamicModule {
  @Module({})
  class BenchModule {}
  return {
    module: BenchModule,
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({
        config: {
          ...(MAX_IN_FLIGHT ? { defaults: { delivery: { maxInFlightPerDestination: MAX_IN_FLIGHT } } } : {}),
          tenants: { acme: { connectors: [{ type: 'webhook', name: 'bench', url, secret: SECRET }] } },
        },
        transport,
        watchConfig: false,
        logger: false,
      }),
    ],
  };
}

async function run(name: string, transport: TransportOptions): Promise<Result> {
  let phase: Phase | undefined;
  const receiver = await startReceiver((eventId) => phase?.arrived(eventId));
  const app = await NestFactory.createApplicationContext(benchModule(receiver.url, transport), { logger: false });
  await app.init();
  const hookline = app.get(HooklineService);
  try {
    const warmup = Array.from({ length: WARMUP }, (_, i) => event(`warm-${i}`));
    await Promise.all(warmup.map((e) => hookline.publish(e)));
    await new Promise((r) => setTimeout(r, 1_000));

    const flood = (phase = new Phase(EVENTS));
    const events = Array.from({ length: EVENTS }, (_, i) => event(`e${i}`));
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL_PUBLISHES }, async () => {
        while (next < events.length) {
          const e = events[next++];
          flood.sentAt.set(e.id, performance.now());
          await hookline.publish(e);
        }
      }),
    );
    await flood.done;

    const paced = (phase = new Phase(PACED));
    for (let i = 0; i < PACED; i++) {
      const e = event(`p${i}`);
      paced.sentAt.set(e.id, performance.now());
      await hookline.publish(e);
      await new Promise((r) => setTimeout(r, 1_000 / PACED_RATE));
    }
    await paced.done;
    return {
      transport: name,
      eventsPerSecond: EVENTS / ((flood.lastArrival - start) / 1_000),
      p50: flood.percentile(50),
      p99: flood.percentile(99),
      pacedP50: paced.percentile(50),
      pacedP99: paced.percentile(99),
    };
  } finally {
    await app.close();
    await receiver.close();
  }
}

let seq = 0;
function event(tag: string) {
  seq += 1;
  return createUserRegisteredEvent({ tenant: 'acme', id: `bench-${process.pid}-${tag}-${seq}`, user: { id: `u${seq}`, email: `u${seq}@example.com` } });
}

async function main(): Promise<void> {
  const prefix = `hookline-bench-${process.pid}`;
  const rounds: Record<string, Result[]> = { inline: [], bullmq: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      rounds.inline.push(await run('inline', { type: 'inline' }));
      rounds.bullmq.push(await run('bullmq', { type: 'bullmq', url: REDIS_URL, prefix: `${prefix}-${round}` }));
    }
  } finally {
    for (let round = 0; round < ROUNDS; round++) await deleteKeys(REDIS_URL, `${prefix}-${round}`);
  }
  const results = Object.entries(rounds).map(([transport, rs]) => ({
    transport,
    eventsPerSecond: median(rs.map((r) => r.eventsPerSecond)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    pacedP50: median(rs.map((r) => r.pacedP50)),
    pacedP99: median(rs.map((r) => r.pacedP99)),
  }));
  const ratios = rounds.bullmq.map((r, i) => r.eventsPerSecond / rounds.inline[i].eventsPerSecond);
  const [inline] = results;
  console.log(`${machine()}; one webhook consumer on 127.0.0.1, concurrency 16, ${MAX_IN_FLIGHT ?? 'default'} in flight per destination; medians of ${ROUNDS} rounds\n`);
  console.log(`Flood: ${EVENTS} events published as fast as accepted (latency is mostly time in the backlog)\n`);
  console.log(
    table(
      ['transport', 'events/s', 'vs inline', 'p50 enqueue→delivery ms', 'p99 enqueue→delivery ms'],
      results.map((r) => [r.transport, r.eventsPerSecond, `×${(r.eventsPerSecond / inline.eventsPerSecond).toFixed(2)}`, r.p50, r.p99]),
    ),
  );
  console.log(`\nbullmq/inline events/s per round: ${ratios.map((x) => `×${x.toFixed(2)}`).join(', ')}`);
  console.log(`\nPaced: ${PACED} events at about ${PACED_RATE}/s (no backlog: what the transport itself adds)\n`);
  console.log(table(['transport', 'p50 enqueue→delivery ms', 'p99 enqueue→delivery ms'], results.map((r) => [r.transport, r.pacedP50, r.pacedP99])));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
