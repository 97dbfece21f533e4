/**
 * Allocation: what the example app allocates per sign-up, with the six consumers of `npm run bench:delivery`
 * (`acme`) and with none (`globex`), counted by V8's sampling heap profiler inside the app (through the
 * probe), objects that a collection freed since included. A scavenge comes each time this fills the young
 * generation, and the scavenges are what the paced tail is made of (docs/benchmarks.md, Delivery cost).
 *
 * Per round and build, one fresh app: 200 sign-ups per tenant, then BENCH_ALLOC_WARMUP_SECONDS (12) of the
 * tenant at BENCH_ALLOC_RATE (265/s, about a quarter of saturation on a 2-core machine) not counted, then
 * BENCH_ALLOC_SECONDS (8) at that rate, counted (the sampling interval is 1 KB). Reported: KB per sign-up in
 * all, by where the allocating code lives, and the largest sites for `acme`.
 * BENCH_BASELINE=<another checkout, built> alternates rounds with that build; BENCH_ROUNDS (1).
 */
import { join } from 'node:path';
import { Arrivals, ExampleApp, startSinks, writeConfig } from './example-app';
import { machine, median, printAndExit, table } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const RATE = Number(process.env.BENCH_ALLOC_RATE ?? 265);
const WARMUP_SECONDS = Number(process.env.BENCH_ALLOC_WARMUP_SECONDS ?? 12);
const SECONDS = Number(process.env.BENCH_ALLOC_SECONDS ?? 8);
const TENANTS = ['acme', 'globex'] as const;

type Sites = Record<string, number>;

/** Where the code that allocated lives, from its script's URL (no path of the machine is printed). */
function placeOf(url: string): string {
  if (!url) return 'V8 builtins and native code';
  if (url.startsWith('node:internal/deps/undici')) return 'undici (Node)';
  if (url.startsWith('node:')) return 'Node';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(.*)$/.exec(url);
  if (!own) return 'other';
  const file = own[1];
  if (file.startsWith('sample/')) return 'the example app';
  if (file.startsWith('connectors/') || file.startsWith('src/hookline/connectors/')) return 'Hookline: connectors';
  const area = /^src\/hookline\/(?:delivery\/)?([^/.]+)/.exec(file);
  return area ? `Hookline: ${area[1]}` : `Hookline: ${file}`;
}

/** A site's readable name: its script (relative to the build or the package) and function. */
function siteName(site: string): string {
  const [url, fn] = site.split('|');
  const short = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '');
  return `${fn} (${short || 'native'})`;
}

async function profile(root: string, tenant: string): Promise<Sites> {
  const arrivals = new Arrivals();
  const sinks = await startSinks(arrivals);
  const config = writeConfig(sinks.origin, { webhooks: 3, hook: true, slack: true, hubspot: true });
  const app = await ExampleApp.start({ root, config: config.file, arrivals, env: {} });
  try {
    await app.burst('globex', 'w', 200, 8);
    await app.burst('acme', 'w', 200, 8);
    await app.paced(tenant, 'pw', RATE, WARMUP_SECONDS);
    await app.startAllocationProfile();
    await app.paced(tenant, 'pm', RATE, SECONDS);
    return await app.stopAllocationProfile();
  } finally {
    await app.stop();
    await sinks.close();
    config.remove();
  }
}

async function main(): Promise<string> {
  const builds = [{ name: 'this build', root: join(__dirname, '..', '..') }];
  if (process.env.BENCH_BASELINE) builds.unshift({ name: 'baseline', root: process.env.BENCH_BASELINE });
  const signups = RATE * SECONDS;
  const results = new Map<string, Array<Record<string, Sites>>>(builds.map((b) => [b.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const build of round % 2 ? [...builds].reverse() : builds) {
      const byTenant: Record<string, Sites> = {};
      for (const tenant of TENANTS) byTenant[tenant] = await profile(build.root, tenant);
      results.get(build.name)!.push(byTenant);
    }
  }
  const kb = (bytes: number) => bytes / signups / 1000;
  const total = (sites: Sites) => Object.values(sites).reduce((a, b) => a + b, 0);
  const rows = builds.map(({ name }) => {
    const rounds = results.get(name)!;
    const acme = rounds.map((r) => kb(total(r.acme)));
    const globex = rounds.map((r) => kb(total(r.globex)));
    return [name, median(acme), median(globex), median(acme.map((a, i) => a - globex[i])), acme.map((a) => a.toFixed(1)).join(', ')];
  });
  const out = [
    `${machine()}; example app, inline transport; ${RATE} sign-ups/s for ${SECONDS} s per tenant after ${WARMUP_SECONDS} s; medians of ${ROUNDS} round(s) per build${builds.length > 1 ? ', alternating' : ''}`,
    '',
    table(['build', 'KB allocated per sign-up, 6 consumers', 'none', 'the deliveries (with − none)', 'with consumers (rounds)'], rows),
  ];
  for (const { name } of builds) {
    const last = results.get(name)!.at(-1)!.acme;
    const places = new Map<string, number>();
    for (const [site, bytes] of Object.entries(last)) {
      const place = placeOf(site.split('|')[0]);
      places.set(place, (places.get(place) ?? 0) + bytes);
    }
    const all = total(last);
    const top = (entries: Iterable<[string, number]>, n: number) =>
      [...entries]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([what, bytes]) => [what, kb(bytes), `${((bytes / all) * 100).toFixed(1)} %`]);
    out.push('', `${name}, acme (the last round): by where the allocating code lives`, '', table(['code', 'KB per sign-up', 'share'], top(places, 12)));
    out.push('', `${name}, acme: the largest sites`, '', table(['function (script)', 'KB per sign-up', 'share'], top(Object.entries(last).map(([site, bytes]) => [siteName(site), bytes] as [string, number]), 15)));
  }
  return out.join('\n');
}

printAndExit(main());
