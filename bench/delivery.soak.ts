/**
 * Soak (`npm run bench:soak`, not part of `npm run bench`): the example app measured from outside with
 * one tenant (a hook and a signed webhook per sign-up), 8 sign-ups in flight, BENCH_SOAK_SIGNUPS sign-ups
 * (default 200,000); every BENCH_SOAK_EVERY (10,000) the app's RSS (from /proc) and its own
 * `process.memoryUsage()` are sampled, once its deliveries have caught up. Verdict: after warm-up, RSS
 * stays within 10 % of its level at the second sample (20,000 sign-ups by default). Runs on both
 * transports (bullmq with REDIS_URL; its keys live under a prefix of their own, removed afterwards);
 * BENCH_SOAK_TRANSPORTS=inline limits it to one; BENCH_APP_ROOT=<another checkout, built> soaks that build's app.
 * BENCH_SOAK_LIVE=1 adds, at each sample, the live heap after a full garbage collection, V8's old space
 * (used / committed) and its new space (committed): a leak grows the live heap; V8 keeping more than it
 * uses grows only what is committed.
 * BENCH_NODE_ARGS passes flags to the app (e.g. `--max-old-space-size=256`).
 */
import { join } from 'node:path';
import { deleteKeys } from '../test/support/redis';
import { Arrivals, ExampleApp, nodeArgsFromEnv, rssMb, startSinks, writeConfig } from './example-app';
import { machine, table } from './stats';

const SIGNUPS = Number(process.env.BENCH_SOAK_SIGNUPS ?? 200_000);
const EVERY = Number(process.env.BENCH_SOAK_EVERY ?? 10_000);
const IN_FLIGHT = 8;
const TOLERANCE = 0.1;
const MB = 2 ** 20;
const LIVE = process.env.BENCH_SOAK_LIVE === '1';
const NODE_ARGS = nodeArgsFromEnv();

interface Sample {
  signups: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** With BENCH_SOAK_LIVE=1: after a full GC, the heap used, V8's old space used / committed and new space committed (MB). */
  live?: { heapUsed: number; oldUsed: number; oldCommitted: number; newCommitted: number };
}

async function soak(transport: string, env: NodeJS.ProcessEnv): Promise<Sample[]> {
  const arrivals = new Arrivals();
  const sinks = await startSinks(arrivals);
  const config = writeConfig(sinks.origin, { webhooks: 1, hook: true, slack: false, hubspot: false });
  const app = await ExampleApp.start({ root: process.env.BENCH_APP_ROOT ?? join(__dirname, '../..'), config: config.file, arrivals, env: { ...env, HOOKLINE_TRANSPORT: transport }, nodeArgs: NODE_ARGS });
  const samples: Sample[] = [];
  try {
    for (let done = 0; done < SIGNUPS; ) {
      const n = Math.min(EVERY, SIGNUPS - done);
      await app.burst('acme', `${transport}-${done}`, n, IN_FLIGHT);
      done += n;
      await arrivals.until(() => arrivals.count('hook') >= done && arrivals.count('webhook') >= done, 300_000, `deliveries after ${done} sign-ups`);
      const memory = await app.memory();
      const sample: Sample = {
        signups: done,
        rss: rssMb(app.pid),
        heapUsed: memory.heapUsed / MB,
        heapTotal: memory.heapTotal / MB,
        external: memory.external / MB,
        arrayBuffers: memory.arrayBuffers / MB,
      };
      if (LIVE) {
        const live = await app.liveMemory();
        const { old_space: old, new_space: young } = live.spaces;
        sample.live = { heapUsed: live.memory.heapUsed / MB, oldUsed: old.used / MB, oldCommitted: old.committed / MB, newCommitted: young.committed / MB };
      }
      samples.push(sample);
      process.stderr.write(`${transport} ${JSON.stringify(sample)}\n`);
    }
    return samples;
  } finally {
    await app.stop();
    await sinks.close();
    config.remove();
  }
}

async function main(): Promise<void> {
  const transports = (process.env.BENCH_SOAK_TRANSPORTS ?? (process.env.REDIS_URL ? 'inline,bullmq' : 'inline')).split(',');
  const prefix = `hookline-soak-${process.pid}`;
  const flags = NODE_ARGS.length ? `; app flags: ${NODE_ARGS.join(' ')}` : '';
  console.log(`${machine()}; example app; tenant: a hook and a signed webhook; ${IN_FLIGHT} sign-ups in flight; ${SIGNUPS} sign-ups, sampled every ${EVERY}${flags}\n`);
  let failed = false;
  for (const transport of transports) {
    const samples = await soak(transport, transport === 'bullmq' ? { HOOKLINE_REDIS_PREFIX: prefix } : {});
    if (transport === 'bullmq') await deleteKeys(process.env.REDIS_URL!, prefix);
    const reference = samples[Math.min(1, samples.length - 1)];
    const worst = Math.max(...samples.slice(2).map((s) => Math.abs(s.rss - reference.rss) / reference.rss), 0);
    const flat = worst <= TOLERANCE;
    failed ||= !flat;
    console.log(`## ${transport}\n`);
    console.log(
      table(
        ['sign-ups', 'RSS MB', 'heap used MB', 'heap total MB', 'external MB', 'array buffers MB', ...(LIVE ? ['live heap MB (after GC)', 'old space used / committed MB', 'new space committed MB'] : [])],
        samples.map((s) => [
          s.signups,
          s.rss,
          s.heapUsed,
          s.heapTotal,
          s.external,
          s.arrayBuffers,
          ...(s.live ? [s.live.heapUsed, `${s.live.oldUsed.toFixed(1)} / ${s.live.oldCommitted.toFixed(1)}`, s.live.newCommitted] : []),
        ]),
      ),
    );
    console.log(`\nRSS after ${reference.signups}: ${reference.rss.toFixed(0)} MB; largest change after it: ${(worst * 100).toFixed(1)} % → ${flat ? 'flat' : 'NOT flat'} (limit ${TOLERANCE * 100} %)\n`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
