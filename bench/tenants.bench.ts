/**
 * Tenant store at scale: 10,000 tenants in PostgreSQL, each with one signed webhook whose signing secret
 * is a stored, sealed `${secret:WH}`. Two module instances share the store (a writer and a reader), as
 * two app instances would. Measures an instance's start-up, its RSS as tenants come into use, the cost of
 * `publish` for a cached and an uncached tenant, and how long a write on one instance takes to reach the
 * other's cache.
 *
 * Needs DATABASE_URL (a PostgreSQL it may create a schema in; the schema is dropped at the end).
 * BENCH_TENANTS sets the number of tenants (default 10,000).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { createUserRegisteredEvent, EnvKeyProvider, HooklineModule, HooklineService, HooklineTenants, type TenantStoreOptions } from 'hookline';
import { machine, summarize, table, printAndExit } from './stats';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const WRITERS = 8;
const CACHE_SIZE = 1_000;
const UNCACHED_SAMPLES = Math.min(2_000, TENANTS);
const CACHED_SAMPLES = 2_000;
const PROPAGATION_SAMPLES = 20;

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A destination that answers 204 at once: the benchmark measures the store, not a receiver. */
async function receiver(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function boot(store: TenantStoreOptions): Promise<INestApplicationContext> {
  @Module({
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({ config: { tenants: {} }, store, logger: false, watchConfig: false }),
    ],
  })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  return app;
}

const tenantId = (i: number) => `t${String(i).padStart(5, '0')}`;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function eachParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export async function main(): Promise<string> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: the tenant store benchmark needs a PostgreSQL URL');
  const schema = `hlbench_${randomBytes(4).toString('hex')}`;
  const keys = EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEY: randomBytes(32).toString('base64') });
  const store: TenantStoreOptions = { url, schema, keys, cacheSize: CACHE_SIZE, allowPrivateHosts: ['127.0.0.1'] };
  const destination = await receiver();
  const apps: INestApplicationContext[] = [];
  try {
    // Fill the store through the writer instance, as an admin API would.
    const writer = await boot(store);
    apps.push(writer);
    const tenants = writer.get(HooklineTenants);
    const fillStart = performance.now();
    const definition = { connectors: [{ type: 'webhook', name: 'main', url: `${destination.url}/hook`, secret: '${secret:WH}' }] };
    await eachParallel(TENANTS, async (i) => {
      await tenants.setSecret(tenantId(i), 'WH', `whsec_${randomBytes(24).toString('base64')}`);
      await tenants.upsertTenant(tenantId(i), definition);
    });
    const fillMs = performance.now() - fillStart;

    // A second instance starts against the full store.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const startAt = performance.now();
    const reader = await boot(store);
    apps.push(reader);
    const startupMs = performance.now() - startAt;
    global.gc?.();
    const rssStarted = process.memoryUsage().rss;
    const hookline = reader.get(HooklineService);

    // Uncached: each tenant's first event (two queries, decrypt, compile). Cached: the same tenants again,
    // the last CACHE_SIZE of them still in the LRU.
    const uncached: number[] = [];
    for (let i = 0; i < UNCACHED_SAMPLES; i++) {
      const event = createUserRegisteredEvent({ tenant: tenantId(i), user: { id: `u${i}`, email: `u${i}@example.com` } });
      const t = performance.now();
      const result = await hookline.publish(event);
      uncached.push(performance.now() - t);
      if (result.deliveryIds.length !== 1) throw new Error(`tenant ${tenantId(i)} had ${result.deliveryIds.length} deliveries, expected 1`);
    }
    global.gc?.();
    const rssUsed = process.memoryUsage().rss;
    const cached: number[] = [];
    for (let n = 0; n < CACHED_SAMPLES; n++) {
      const i = UNCACHED_SAMPLES - 1 - (n % Math.min(CACHE_SIZE, UNCACHED_SAMPLES));
      const event = createUserRegisteredEvent({ tenant: tenantId(i), user: { id: `c${n}`, email: `c${n}@example.com` } });
      const t = performance.now();
      await hookline.publish(event);
      cached.push(performance.now() - t);
    }

    // Propagation: a consumer disabled on the writer stops the reader dispatching to it.
    const propagation: number[] = [];
    const writes: number[] = [];
    for (let n = 0; n < PROPAGATION_SAMPLES; n++) {
      const id = tenantId(n);
      const ref = { type: 'webhook', name: 'main' };
      const enable = n % 2 === 1;
      const t = performance.now();
      await (enable ? tenants.enableConsumer(id, ref) : tenants.disableConsumer(id, ref));
      const committed = performance.now();
      writes.push(committed - t);
      const expected = enable ? 1 : 0;
      for (;;) {
        const result = await hookline.publish(createUserRegisteredEvent({ tenant: id, user: { id: `p${n}`, email: 'p@example.com' } }));
        if (result.deliveryIds.length === expected) break;
        if (performance.now() - t > 10_000) throw new Error(`a change to ${id} did not reach the other instance in 10 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      propagation.push(performance.now() - committed);
    }

    const u = summarize(uncached);
    const c = summarize(cached);
    const p = summarize(propagation);
    const w = summarize(writes);
    return [
      `## Tenant store: ${TENANTS.toLocaleString('en')} tenants (${machine()})`,
      '',
      `${TENANTS.toLocaleString('en')} tenants written through \`HooklineTenants\` by ${WRITERS} concurrent writers in ${(fillMs / 1000).toFixed(1)} s; cacheSize ${CACHE_SIZE}.`,
      '',
      table(
        ['measure', 'value'],
        [
          ['start-up of a second instance against the full store', `${startupMs.toFixed(0)} ms`],
          ['RSS before it / after start-up / after ' + UNCACHED_SAMPLES + ' tenants used', `${mb(rssBefore)} / ${mb(rssStarted)} / ${mb(rssUsed)} MB`],
          ['publish, uncached tenant (median / p99)', `${u.median.toFixed(2)} / ${u.p99.toFixed(2)} ms`],
          ['publish, cached tenant (median / p99)', `${c.median.toFixed(3)} / ${c.p99.toFixed(3)} ms`],
          ['uncached / cached median', `${(u.median / c.median).toFixed(0)}×`],
          [`a consumer write on one instance (${PROPAGATION_SAMPLES} writes, median / max)`, `${w.median.toFixed(1)} / ${Math.max(...writes).toFixed(1)} ms`],
          ['then reaching the other instance (NOTIFY → invalidation → next publish; median / max)', `${p.median.toFixed(1)} / ${Math.max(...propagation).toFixed(1)} ms`],
        ],
      ),
      '',
    ].join('\n');
  } finally {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    destination.server.close();
    await sql(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

if (require.main === module) {
  printAndExit(main());
}
