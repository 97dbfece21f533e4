/**
 * Delivery cost: the example app (`dist/sample/main.js`, inline transport by default) measured from
 * outside, with tenant `acme` configured with six consumers (3 signed webhooks, 1 hook, Slack with a
 * digest, HubSpot) against local receivers that answer at once, and tenant `globex` with none.
 * Per round, one fresh app:
 *  1. CPU per sign-up: the CPU time of the app's process and its sandbox worker processes (read from
 *     /proc, so nothing inside the app is trusted), from the first sign-up until every delivery of every
 *     consumer arrived, minus the app's idle CPU over the same time; `acme` against `globex`. Also read
 *     when every delivery but Slack's had arrived: its digests drain for about 8 s more, over which the
 *     idle rate measured before the load is a rough correction.
 *  2. Burst: BENCH_BURST sign-ups, 8 in flight: deliveries/s per consumer kind (from the first sign-up to
 *     the kind's last arrival) and how long after the last sign-up's answer 95 % of each kind had arrived.
 *     Saturation is the burst's sign-ups over the time until hooks, webhooks and HubSpot were all done.
 *  3. Paced: sign-ups at a quarter of that saturation, open loop (latency counted from when a request was
 *     due), to `globex` and `acme` in BENCH_PACED_PHASES (3) alternating phases each, BENCH_PACED_SECONDS
 *     (6) per tenant in all: registration p99 of each tenant's pooled latencies, and their ratio; the app's
 *     event-loop delay and its GC pauses in those phases (through the probe), which decide that tail. The
 *     burst's garbage is collected before the first phase, so that neither tenant's phase pays for it, and a
 *     warm-up at the paced rate, not measured, lets V8's young generation grow back to what the paced load
 *     keeps: BENCH_PACED_WARMUP_SECONDS (3) per tenant, then steps of BENCH_PACED_WARMUP_STEP_SECONDS (2)
 *     until a step leaves the young generation as large as it found it, for BENCH_PACED_WARMUP_MAX_SECONDS
 *     (40) at most.
 * Hooks are counted from the app's output (the hook logs one line per sign-up); the others at the receivers.
 * With BENCH_BASELINE=<another checkout, built>, rounds alternate between that build and this one, so the
 * figures are side by side. With BENCH_VARIANTS=default,json-logs,metrics,traces,otel (any of them), rounds
 * alternate between the same build run as it ships and with JSON logs, a metrics SDK, a tracing SDK (a
 * real SDK with a batch processor whose exporter drops the spans) or both: what each costs, side by side;
 * `no-pretenuring` runs the app with V8's `--no-allocation-site-pretenuring`, `semi-space-64` with
 * `--max-semi-space-size=64`, `semi-space-32-64` with a minimum of 32 MB too and `semi-space-16` with a
 * maximum of 16 MB (see docs/benchmarks.md);
 * `by-hand` runs the same Nest app with Hookline taken out and the six deliveries written by hand with the same
 * clients (bench/by-hand): the floor that this machine allows.
 * Env: BENCH_ROUNDS (default 1 per build or variant), BENCH_BURST (2000), BENCH_CPU_SIGNUPS (400),
 * BENCH_PACED_SECONDS (6), BENCH_PACED_PHASES (3), HOOKLINE_TRANSPORT (inline), BENCH_NODE_ARGS (extra
 * flags for the app), BENCH_APP_OUTPUT (a file that keeps everything the app prints, e.g. with `--trace-gc`).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Arrivals, cpuMs, descendantsCpuMs, ExampleApp, nodeArgsFromEnv, startSinks, writeConfig, type Kind, type LoopDelay } from './example-app';
import { machine, median, percentile, summarize, table } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const BURST = Number(process.env.BENCH_BURST ?? 2_000);
const CPU_SIGNUPS = Number(process.env.BENCH_CPU_SIGNUPS ?? 400);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 6);
const PACED_PHASES = Number(process.env.BENCH_PACED_PHASES ?? 3);
/** Seconds per tenant at the paced rate before the paced phases, not measured (see the paced phase). */
const PACED_WARMUP_SECONDS = Number(process.env.BENCH_PACED_WARMUP_SECONDS ?? 3);
/** Then steps of this many seconds per tenant until a step leaves V8's young generation as it was, for at most the max (s). */
const PACED_WARMUP_STEP_SECONDS = Number(process.env.BENCH_PACED_WARMUP_STEP_SECONDS ?? 2);
const PACED_WARMUP_MAX_SECONDS = Number(process.env.BENCH_PACED_WARMUP_MAX_SECONDS ?? 40);
const IN_FLIGHT = 8;
const WEBHOOKS = 3;
const NODE_ARGS = nodeArgsFromEnv();
const KINDS: Kind[] = ['hook', 'webhook', 'slack', 'hubspot'];
/** The example app's environment and node flags for each variant (the app as it ships is `default`). */
const VARIANTS: Record<string, { env: NodeJS.ProcessEnv; nodeArgs?: string[]; entry?: string }> = {
  default: { env: {} },
  'json-logs': { env: { HOOKLINE_LOG_FORMAT: 'json' } },
  metrics: { env: { HOOKLINE_METRICS: 'prometheus' } },
  traces: { env: { HOOKLINE_TRACES: 'discard' } },
  otel: { env: { HOOKLINE_METRICS: 'prometheus', HOOKLINE_TRACES: 'discard' } },
  'no-pretenuring': { env: {}, nodeArgs: ['--no-allocation-site-pretenuring'] },
  'semi-space-64': { env: {}, nodeArgs: ['--max-semi-space-size=64'] },
  'semi-space-32-64': { env: {}, nodeArgs: ['--min-semi-space-size=32', '--max-semi-space-size=64'] },
  'semi-space-16': { env: {}, nodeArgs: ['--max-semi-space-size=16'] },
  // The same app and deliveries with Hookline taken out, the six written by hand (bench/by-hand): the floor.
  'by-hand': { env: {}, entry: 'dist/bench/by-hand/main.js' },
};
const PER_SIGNUP: Record<Kind, number> = { hook: 1, webhook: WEBHOOKS, slack: 1, hubspot: 1 };

interface Round {
  build: string;
  cpuOn: number;
  /**
   * The same, until every delivery but Slack's had arrived: Slack's digests take about 8 s more to drain,
   * and over that wait the idle rate measured before the load corrects the app's CPU less well.
   */
  cpuOnFast: number;
  /** Of `cpuOn`, the sandbox workers' share. */
  cpuOnWorkers: number;
  cpuOff: number;
  idleCpuPerS: number;
  signupsPerS: number;
  saturation: number;
  rates: Record<Kind, number>;
  after95: Record<Kind, number>;
  pacedRate: number;
  pacedOff: number;
  pacedOn: number;
  /** The paced warm-up's length (s), and the young generation it left (V8's new space, committed MB). */
  warmUpSeconds: number;
  youngMb: number;
  /** The app's own event-loop delay during the paced phases (ms: the worst phase's p99 and max), and its GC pauses in them (summed). */
  loopOff: PacedLoop;
  loopOn: PacedLoop;
}

interface PacedLoop {
  p99: number;
  max: number;
  gcCount: number;
  gcMs: number;
  gcMax: number;
  gcMajor: number;
}

interface Build {
  name: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** Flags for the app, after BENCH_NODE_ARGS. */
  nodeArgs?: string[];
  /** The app's entry (default: the example app). */
  entry?: string;
}

async function round({ name: build, root, env, nodeArgs = [], entry }: Build, tag: string): Promise<Round> {
  const arrivals = new Arrivals();
  const sinks = await startSinks(arrivals);
  const config = writeConfig(sinks.origin, { webhooks: WEBHOOKS, hook: true, slack: true, hubspot: true });
  const app = await ExampleApp.start({ root, config: config.file, arrivals, env, nodeArgs: [...NODE_ARGS, ...nodeArgs], entry });
  const allDone = (n: number) => () => KINDS.every((k) => arrivals.count(k) >= n * PER_SIGNUP[k]);
  try {
    // Warm-up: the JIT, the sandbox worker and the tenant's isolate, every client's connections.
    await app.burst('globex', `${tag}w`, 200, IN_FLIGHT);
    await app.burst('acme', `${tag}w`, 200, IN_FLIGHT);
    await arrivals.until(allDone(200), 60_000, 'the warm-up deliveries');
    await sleep(500);

    const idleStart = cpuMs(app.pid);
    await sleep(2_000);
    const idleCpuPerS = (cpuMs(app.pid) - idleStart) / 2;
    const cpuPerSignup = async (tenant: string, done: () => boolean, fastDone: () => boolean) => {
      arrivals.reset();
      const t0 = performance.now();
      const c0 = cpuMs(app.pid);
      const w0 = descendantsCpuMs(app.pid);
      const spent = () => (cpuMs(app.pid) - c0 - (idleCpuPerS * (performance.now() - t0)) / 1000) / CPU_SIGNUPS;
      await app.burst(tenant, `${tag}c`, CPU_SIGNUPS, IN_FLIGHT);
      await arrivals.until(fastDone, 120_000, `the deliveries of ${tenant} but Slack's`);
      const fast = spent();
      await arrivals.until(done, 120_000, `the deliveries of ${tenant}`);
      await sleep(100); // Records written after the last arrival.
      return { all: spent(), fast, workers: (descendantsCpuMs(app.pid) - w0) / CPU_SIGNUPS };
    };
    const cpuOff = (await cpuPerSignup('globex', () => true, () => true)).all;
    const fastKinds: Kind[] = ['hook', 'webhook', 'hubspot'];
    const allButSlack = () => fastKinds.every((k) => arrivals.count(k) >= CPU_SIGNUPS * PER_SIGNUP[k]);
    const { all: cpuOn, fast: cpuOnFast, workers: cpuOnWorkers } = await cpuPerSignup('acme', allDone(CPU_SIGNUPS), allButSlack);

    arrivals.reset();
    const t0 = performance.now();
    const { lastAnsweredAt } = await app.burst('acme', `${tag}b`, BURST, IN_FLIGHT);
    const fast: Kind[] = ['hook', 'webhook', 'hubspot'];
    await arrivals.until(() => fast.every((k) => arrivals.count(k) >= BURST * PER_SIGNUP[k]), 300_000, 'the burst');
    const doneAt = performance.now();
    const rates = {} as Record<Kind, number>;
    const after95 = {} as Record<Kind, number>;
    for (const kind of KINDS) {
      const at = arrivals.at[kind];
      const complete = at.length >= BURST * PER_SIGNUP[kind];
      rates[kind] = at.length / (((complete ? at[at.length - 1] : doneAt) - t0) / 1000);
      after95[kind] = complete ? percentile(at, 95) - lastAnsweredAt : NaN;
    }
    const saturation = BURST / ((doneAt - t0) / 1000);
    // Let Slack's digests drain (about one message a second) before the paced phase, at most 60 s.
    await arrivals.until(() => arrivals.count('slack') >= BURST, 60_000, 'Slack').catch(() => undefined);

    // Paced: PACED_PHASES short phases per tenant, alternating (globex, acme, globex, …), latencies pooled
    // per tenant, so that a stall of the machine's other work lands in either with the same odds rather
    // than in one long phase. Each acme phase's deliveries arrive before the next globex phase starts.
    const pacedRate = Math.max(10, Math.round(saturation / 4));
    // The burst's garbage is collected first (a full collection through the probe): otherwise the major
    // collection it calls for lands in the first paced phase, which is globex's, and flatters the ratio.
    // That collection also shrinks V8's young generation to a megabyte or two, and V8 doubles it back only
    // every few scavenges (a --trace-gc round: 1 → 64 MB over about 12 s), so a warm-up at the paced rate
    // (both tenants, not measured) goes on, in steps, until a step leaves the young generation as it found it.
    await app.liveMemory();
    const warmUpStarted = performance.now();
    let young = (await app.heapSpaces()).new_space?.committed ?? 0;
    for (let step = 0; ; step++) {
      const seconds = step === 0 ? PACED_WARMUP_SECONDS : PACED_WARMUP_STEP_SECONDS;
      arrivals.reset();
      for (const tenant of ['globex', 'acme']) await app.paced(tenant, `${tag}w`, pacedRate, seconds);
      await arrivals.until(() => fast.every((k) => arrivals.count(k) >= Math.round(pacedRate * seconds) * PER_SIGNUP[k]), 60_000, 'the paced warm-up deliveries');
      const now = (await app.heapSpaces()).new_space?.committed ?? 0;
      const grew = now > young;
      young = now;
      if (!grew || (performance.now() - warmUpStarted) / 1000 >= PACED_WARMUP_MAX_SECONDS) break;
    }
    const warmUpSeconds = (performance.now() - warmUpStarted) / 1000;
    const phaseSeconds = PACED_SECONDS / PACED_PHASES;
    const latencies = { off: [] as number[], on: [] as number[] };
    const loopOff: PacedLoop = { p99: 0, max: 0, gcCount: 0, gcMs: 0, gcMax: 0, gcMajor: 0 };
    const loopOn: PacedLoop = { p99: 0, max: 0, gcCount: 0, gcMs: 0, gcMax: 0, gcMajor: 0 };
    const worst = (into: PacedLoop, loop: LoopDelay) => {
      into.p99 = Math.max(into.p99, loop.p99);
      into.max = Math.max(into.max, loop.max);
      into.gcCount += loop.gc.count;
      into.gcMs += loop.gc.ms;
      into.gcMax = Math.max(into.gcMax, loop.gc.max);
      into.gcMajor += loop.gc.major;
    };
    for (let phase = 0; phase < PACED_PHASES; phase++) {
      arrivals.reset();
      await app.loopDelay();
      latencies.off.push(...(await app.paced('globex', `${tag}p`, pacedRate, phaseSeconds)));
      worst(loopOff, await app.loopDelay());
      latencies.on.push(...(await app.paced('acme', `${tag}p`, pacedRate, phaseSeconds)));
      worst(loopOn, await app.loopDelay());
      const sent = Math.round(pacedRate * phaseSeconds);
      await arrivals.until(() => fast.every((k) => arrivals.count(k) >= sent * PER_SIGNUP[k]), 60_000, 'the paced deliveries');
    }
    const pacedOff = summarize(latencies.off).p99;
    const pacedOn = summarize(latencies.on).p99;
    return {
      build,
      cpuOn,
      cpuOnFast,
      cpuOnWorkers,
      cpuOff,
      idleCpuPerS,
      signupsPerS: BURST / ((lastAnsweredAt - t0) / 1000),
      saturation,
      rates,
      after95,
      pacedRate,
      pacedOff,
      pacedOn,
      warmUpSeconds,
      youngMb: young / 2 ** 20,
      loopOff,
      loopOn,
    };
  } finally {
    await app.stop();
    await sinks.close();
    config.remove();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The builds (or variants of this build) to run, from BENCH_BASELINE and BENCH_VARIANTS. */
function buildsFromEnv(here: string): Build[] {
  const variants = (process.env.BENCH_VARIANTS ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  if (variants.length && process.env.BENCH_BASELINE) throw new Error('BENCH_VARIANTS and BENCH_BASELINE: set one or the other.');
  for (const v of variants) {
    if (!(v in VARIANTS)) throw new Error(`BENCH_VARIANTS: unknown variant ${JSON.stringify(v)}; expected a comma-separated list of ${Object.keys(VARIANTS).join(', ')}.`);
  }
  if (variants.length) return variants.map((name) => ({ name, root: here, ...VARIANTS[name] }));
  const current = { name: 'this build', root: here, env: {} };
  return process.env.BENCH_BASELINE ? [{ name: 'baseline', root: process.env.BENCH_BASELINE, env: {} }, current] : [current];
}

async function main(): Promise<void> {
  const builds = buildsFromEnv(join(__dirname, '../..'));
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Every other round runs them in reverse order (A B, B A, …), so a drift of the machine's load over the
    // run does not favour the one that always runs first.
    for (const build of r % 2 ? [...builds].reverse() : builds) {
      const result = await round(build, `${process.pid}-${r}-${build.name.replace(/\W/g, '')}`);
      rounds.push(result);
      process.stderr.write(`round ${r + 1} ${build.name}: ${JSON.stringify(result)}\n`);
    }
  }
  const transport = process.env.HOOKLINE_TRANSPORT || 'inline';
  console.log(
    `${machine()}; example app, ${transport} transport${NODE_ARGS.length ? `, app flags ${NODE_ARGS.join(' ')}` : ''}; tenant acme: ${WEBHOOKS} signed webhooks, 1 hook, Slack (digest), HubSpot; ` +
      `tenant globex: none; ${IN_FLIGHT} sign-ups in flight; medians of ${ROUNDS} round(s) per build${builds.length > 1 ? ', alternating' : ''}\n`,
  );
  const by = (build: string) => rounds.filter((r) => r.build === build);
  const m = (rs: Round[], f: (r: Round) => number) => median(rs.map(f));
  console.log(
    table(
      ['build', 'CPU ms/sign-up, 6 consumers', 'until all but Slack arrived', 'of which sandbox workers', 'CPU ms/sign-up, none', 'idle CPU ms/s', `paced rate /s`, 'paced p99 ms, none', 'paced p99 ms, 6 consumers', 'p99 ratio'],
      builds.map(({ name }) => {
        const rs = by(name);
        return [name, m(rs, (r) => r.cpuOn), m(rs, (r) => r.cpuOnFast), m(rs, (r) => r.cpuOnWorkers), m(rs, (r) => r.cpuOff), m(rs, (r) => r.idleCpuPerS), m(rs, (r) => r.pacedRate), m(rs, (r) => r.pacedOff), m(rs, (r) => r.pacedOn), m(rs, (r) => r.pacedOn / r.pacedOff)];
      }),
    ),
  );
  console.log(`\nBurst of ${BURST} sign-ups (${IN_FLIGHT} in flight): deliveries/s per kind, and seconds after the last sign-up's answer until 95 % had arrived\n`);
  console.log(
    table(
      ['build', 'sign-ups/s', 'saturation /s', ...KINDS.flatMap((k) => [`${k} /s`, `${k} 95 % s`])],
      builds.map(({ name }) => {
        const rs = by(name);
        return [name, m(rs, (r) => r.signupsPerS), m(rs, (r) => r.saturation), ...KINDS.flatMap((k) => [m(rs, (r) => r.rates[k]), m(rs, (r) => r.after95[k] / 1000)])];
      }),
    ),
  );
  if (builds.length > 1) {
    // Paired by round: each build's figure over the first build's in the same round, then the median.
    const [first, ...others] = builds;
    const pair = (name: string, f: (r: Round) => number) => median(by(name).map((r, i) => f(r) / f(by(first.name)[i])));
    console.log(`\nAgainst ${first.name}, paired by round (medians of the ratios)\n`);
    console.log(
      table(
        ['build', 'CPU with consumers', 'until all but Slack arrived', 'CPU in deliveries (with − none)', 'hook /s', 'webhook /s', 'paced p99 with consumers', 'event-loop delay max'],
        others.map(({ name }) => [
          name,
          `×${pair(name, (r) => r.cpuOn).toFixed(2)}`,
          `×${pair(name, (r) => r.cpuOnFast).toFixed(2)}`,
          `×${pair(name, (r) => r.cpuOn - r.cpuOff).toFixed(2)}`,
          `×${pair(name, (r) => r.rates.hook).toFixed(2)}`,
          `×${pair(name, (r) => r.rates.webhook).toFixed(2)}`,
          `×${pair(name, (r) => r.pacedOn).toFixed(2)}`,
          `×${pair(name, (r) => r.loopOn.max).toFixed(2)}`,
        ]),
      ),
    );
  }
  console.log('\nPer round (CPU ms per sign-up with consumers / none; paced p99 ms with / none):');
  for (const r of rounds) {
    console.log(
      `  ${r.build}: CPU ${r.cpuOn.toFixed(2)} / ${r.cpuOff.toFixed(2)} (until all but Slack arrived: ${r.cpuOnFast.toFixed(2)}); p99 ${r.pacedOn.toFixed(1)} / ${r.pacedOff.toFixed(1)} = ×${(r.pacedOn / r.pacedOff).toFixed(2)} ` +
        `(app event-loop delay p99/max ${r.loopOn.p99.toFixed(1)}/${r.loopOn.max.toFixed(1)} vs ${r.loopOff.p99.toFixed(1)}/${r.loopOff.max.toFixed(1)} ms; ` +
        `GC pauses ${r.loopOn.gcMs.toFixed(0)} ms in ${r.loopOn.gcCount}, longest ${r.loopOn.gcMax.toFixed(1)}, ${r.loopOn.gcMajor} major vs ${r.loopOff.gcMs.toFixed(0)} ms in ${r.loopOff.gcCount}, ${r.loopOff.gcMax.toFixed(1)}, ${r.loopOff.gcMajor}); ` +
        `hooks ${r.rates.hook.toFixed(0)}/s, 95 % +${(r.after95.hook / 1000).toFixed(2)} s; ` +
        `paced warm-up ${r.warmUpSeconds.toFixed(0)} s, young generation ${r.youngMb.toFixed(0)} MB`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
