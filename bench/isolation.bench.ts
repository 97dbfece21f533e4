/**
 * Isolation: a calm tenant's delivery latency (publish → its receiver) while a noisy tenant has 1,000
 * deliveries pending to an endpoint that answers in 5 s, or that fails every request (500), and with no
 * noisy tenant at all — side by side in one run, on both transports. Each scenario boots a fresh app;
 * the noisy backlog is published first, then CALM calm events at CALM_RATE/s. Target: calm p99 within 2×
 * of the no-neighbour value, and under 1 s.
 * Then the same for hooks: the calm tenant's hook (it POSTs to the receiver) alone, next to a noisy
 * tenant's CPU-heavy hooks (20 sign-ups × 2 hooks burning 900 ms each) in the same sandbox worker, and
 * next to 1,000 slow webhook deliveries; and the calm webhook next to the CPU-heavy hooks (hooks and
 * connectors share the request slots: neither may starve the other).
 * Env: REDIS_URL (default redis://127.0.0.1:6379), BENCH_CALM (default 100), BENCH_CASES (webhooks,hooks: the default both).
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { performance } from 'node:perf_hooks';
import { createUserRegisteredEvent, HooklineModule, HooklineService, type TransportOptions } from 'hookline';
import { Receiver } from '../test/support/receiver';
import { deleteKeys } from '../test/support/redis';
import { machine, percentile, table } from './stats';

const NOISY = 1_000;
const CALM = Number(process.env.BENCH_CALM ?? 100);
const CALM_RATE = 20;
const CASES = (process.env.BENCH_CASES ?? 'webhooks,hooks').split(',');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'whsec_' + Buffer.from('hookline-bench-secret-0123').toString('base64');

type Noise = 'none' | 'slow' | 'failing' | 'cpu';
type Calm = 'webhook' | 'hook';
const HEAVY_SIGNUPS = 20;
const BURN_MS = 900;

/** The calm tenant's hook: POSTs the event id to the receiver, as a webhook would. */
const CALM_HOOK = `module.exports = async function (user, context) {
  const id = context.webtask.headers['x-hookline-event-id'];
  await fetch(context.secrets.URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { id } }) });
};`;
const BURN_HOOK = `module.exports = async function () { const end = Date.now() + ${BURN_MS}; let x = 0; while (Date.now() < end) x++; return x > 0; };`;

/** /calm answers at once and notes the arrival; /slow answers after 5 s; /fail answers 500. */
function startReceiver(onCalm: (eventId: string) => void): Promise<Receiver> {
  return Receiver.start({
    answer: ({ path, eventId }) => {
      if (path === '/slow') return { status: 204, delayMs: 5_000 };
      if (path === '/fail') return { status: 500, body: 'down' };
      onCalm(eventId);
      return { status: 204 };
    },
  });
}

function benchModule(url: string, noise: Noise, transport: TransportOptions, calm: Calm): DynamicModule {
  @Module({})
  class BenchModule {}
  const host = new URL(url).host;
  const tenants: Record<string, unknown> = {
    calmco:
      calm === 'webhook'
        ? { connectors: [{ type: 'webhook', name: 'crm', url: `${url}/calm`, secret: SECRET }] }
        : { hooks: [{ name: 'crm', source: CALM_HOOK, secrets: { URL: `${url}/calm` }, allowHosts: [host] }] },
  };
  if (noise === 'cpu') {
    tenants.noisyco = { hooks: ['burn-a', 'burn-b'].map((name) => ({ name, source: BURN_HOOK, timeoutMs: 5_000 })) };
  } else if (noise !== 'none') {
    tenants.noisyco = {
      connectors: [{ type: 'webhook', name: 'crm', url: `${url}/${noise === 'slow' ? 'slow' : 'fail'}`, secret: SECRET, timeoutMs: 8_000 }],
    };
  }
  return {
    module: BenchModule,
    imports: [
      EventEmitterModule.forRoot(),
      // One sandbox worker: the calm tenant's hook and the noisy tenant's hooks share it (the worst case).
      HooklineModule.forRoot({ config: { tenants }, transport, watchConfig: false, logger: false, drainTimeoutMs: 1_000, sandbox: { workers: 1 } }),
    ],
  };
}

let seq = 0;
function event(tenant: string) {
  seq += 1;
  return createUserRegisteredEvent({ tenant, id: `bench-${process.pid}-${seq}`, user: { id: `u${seq}`, email: `u${seq}@example.com` } });
}

async function run(noise: Noise, transport: TransportOptions, calm: Calm = 'webhook'): Promise<{ p50: number; p99: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const receiver = await startReceiver((id) => {
    const sent = sentAt.get(id);
    if (sent === undefined) return;
    latencies.push(performance.now() - sent);
    if (latencies.length === CALM) done();
  });
  const app = await NestFactory.createApplicationContext(benchModule(receiver.url, noise, transport, calm), { logger: false });
  await app.init();
  const hookline = app.get(HooklineService);
  try {
    if (calm === 'hook') {
      // The calm hook's isolate and context are made before the clock starts, as in a running app.
      const warm = event('calmco');
      sentAt.set(warm.id, performance.now());
      await hookline.publish(warm);
      await Promise.race([new Promise<void>((r) => { const t = setInterval(() => latencies.length > 0 && (clearInterval(t), r()), 10); }), new Promise((r) => setTimeout(r, 10_000))]);
      latencies.length = 0;
    }
    if (noise === 'cpu') {
      for (let i = 0; i < HEAVY_SIGNUPS; i++) await hookline.publish(event('noisyco'));
      await new Promise((r) => setTimeout(r, 500)); // The heavy hooks are running.
    } else if (noise !== 'none') {
      const noisy = Array.from({ length: NOISY }, () => event('noisyco'));
      for (let i = 0; i < noisy.length; i += 100) await Promise.all(noisy.slice(i, i + 100).map((e) => hookline.publish(e)));
    }
    for (let i = 0; i < CALM; i++) {
      const e = event('calmco');
      sentAt.set(e.id, performance.now());
      await hookline.publish(e);
      await new Promise((r) => setTimeout(r, 1_000 / CALM_RATE));
    }
    await Promise.race([finished, new Promise((r) => setTimeout(r, 60_000))]);
    const sorted = [...latencies].sort((a, b) => a - b);
    if (sorted.length < CALM) return { p50: NaN, p99: NaN };
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  } finally {
    await app.close();
    await receiver.close();
  }
}

async function main(): Promise<void> {
  const prefix = `hookline-bench-iso-${process.pid}`;
  const rows: Array<Array<string | number>> = [];
  const hookRows: Array<Array<string | number>> = [];
  const transports: Array<[string, (n: string) => TransportOptions]> = [
    ['inline', () => ({ type: 'inline' })],
    ['bullmq', (n) => ({ type: 'bullmq', url: REDIS_URL, prefix: `${prefix}-${n}` })],
  ];
  try {
    for (const [name, transportFor] of transports) {
      const results: Record<string, { p50: number; p99: number }> = {};
      const webhookNoises: Noise[] = CASES.includes('webhooks') ? ['none', 'slow', 'failing', 'cpu'] : [];
      const hookNoises: Noise[] = CASES.includes('hooks') ? ['none', 'cpu', 'slow'] : [];
      for (const noise of webhookNoises) results[noise] = await run(noise, transportFor(noise));
      for (const noise of webhookNoises) {
        const r = results[noise];
        const label =
          noise === 'none' ? 'no noisy tenant' : noise === 'slow' ? `${NOISY} pending, 5 s answers` : noise === 'failing' ? `${NOISY} pending, 500s` : `${HEAVY_SIGNUPS} × 2 CPU-heavy hooks`;
        rows.push([name, label, r.p50, r.p99, `×${(r.p99 / results.none.p99).toFixed(2)}`]);
      }
      const hooks: Record<string, { p50: number; p99: number }> = {};
      for (const noise of hookNoises) hooks[noise] = await run(noise, transportFor(`hook-${noise}`), 'hook');
      for (const noise of hookNoises) {
        const r = hooks[noise];
        const label =
          noise === 'none' ? 'no noisy tenant' : noise === 'cpu' ? `${HEAVY_SIGNUPS} × 2 hooks burning ${BURN_MS} ms (same worker)` : `${NOISY} webhooks pending, 5 s answers`;
        hookRows.push([name, label, r.p50, r.p99, `×${(r.p99 / hooks.none.p99).toFixed(2)}`]);
      }
    }
  } finally {
    for (const n of ['none', 'slow', 'failing', 'cpu', 'hook-none', 'hook-cpu', 'hook-slow']) await deleteKeys(REDIS_URL, `${prefix}-${n}`);
  }
  console.log(`${machine()}; webhooks on 127.0.0.1, concurrency 16, cap 4 per destination; ${CALM} calm events at ${CALM_RATE}/s\n`);
  console.log(table(['transport', 'noisy neighbour', 'calm p50 ms', 'calm p99 ms', 'p99 vs none'], rows));
  console.log(`\nHooks: the calm tenant's hook (a fetch to the receiver), one sandbox worker shared with the noisy tenant\n`);
  console.log(table(['transport', 'noisy neighbour', 'calm hook p50 ms', 'calm hook p99 ms', 'p99 vs none'], hookRows));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
