/**
 * Sandbox: the cost of running a typical hook (~1 KB payload) in Hookline's sandbox, side by side with
 * an in-process function (the floor), raw isolated-vm in one process (the limit of the technology),
 * node:vm and vm2; the cold path (first call for a tenant); memory per idle tenant isolate; and the
 * host's event-loop lag while hooks burn CPU. One process, one run. The warm path's CPU per invocation with
 * 16 in flight is split by process and thread (/proc). With BENCH_BASELINE=<another checkout, built>, that
 * build's SandboxPool runs as one more variant, interleaved with the others: the two side by side. Two more
 * variants tell the warm path's cost apart: Node's IPC round trip alone (an echo process) and the sandbox
 * worker's runtime in this process (no IPC).
 */
import ivm from 'isolated-vm';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createContext, Script } from 'node:vm';
import { createUserRegisteredEvent } from 'hookline';
import { compatRuntimeFile } from '../src/hookline/hooks/compat/compat-runtime';
import { CompatScripts } from '../src/hookline/hooks/worker/compat.scripts';
import { toHookInput } from '../src/hookline/hooks/hook-input';
import { prepareHookSource } from '../src/hookline/hooks/compat/hook-script';
import { IsolateRuntime } from '../src/hookline/hooks/worker/isolate.runtime';
import { payloadOf, SandboxPool } from '../src/hookline/hooks/host/sandbox.pool';
import { FairShare } from '../src/hookline/hooks/worker/fair-share';
import { SANDBOX_LIMITS } from '../src/hookline/hooks/host/sandbox.limits';
import type { HookInvocation } from '../src/hookline/hooks/host/sandbox.types';
import type { FromWorker } from '../src/hookline/hooks/host/sandbox.protocol';
import { machine, median, summarize, table } from './stats';
import { compileRawHook, invokeRawHook } from './raw-hook';
import { threadCpuMs } from './example-app';
import { join, resolve } from 'node:path';

/** Variants run interleaved, round after round, so a noisy moment on a shared machine hits them all. */
const ROUNDS = 6;
const BASELINE = process.env.BENCH_BASELINE;
const SEQUENTIAL = 500;
const CONCURRENT = 4_000;
const IN_FLIGHT = 16;
const COLD_TENANTS = 100;
const IDLE_TENANTS = 200;

const HOOK = `module.exports = function (user, context, cb) {
  var message = 'New user: ' + (user.username || user.email) + ' (' + user.email + ') via ' + context.connection.name;
  var interests = (user.user_metadata.interests || []).filter(function (i) { return i.length > 4; });
  cb(null, { message: message, interests: interests.length, plan: user.app_metadata.plan });
};`;

const event = createUserRegisteredEvent({
  tenant: 'acme',
  user: {
    id: 'u_0123456789',
    email: 'ada.lovelace@example.com',
    username: 'ada',
    phoneNumber: '+44 20 7946 0958',
    user_metadata: {
      interests: ['mathematics', 'poetry', 'engines', 'music', 'looms', 'horses', 'chess', 'astronomy'],
      bio: 'Wrote the first published algorithm for a machine. '.repeat(8),
      locale: 'en-GB',
    },
    app_metadata: { plan: 'enterprise', roles: ['admin', 'billing'], signupSource: 'landing-page-2026' },
  },
  context: { requestLanguage: 'en-GB' },
});
const input = toHookInput(event);
const payloadBytes = JSON.stringify({ user: input.user, context: input.context }).length;

type Invoke = () => Promise<unknown>;

function inProcess(): Variant {
  const module = { exports: {} as (u: unknown, c: unknown, cb: (e: unknown, r?: unknown) => void) => void };
  new Function('module', 'exports', HOOK)(module, module.exports);
  const hook = module.exports;
  const context = { ...input.context, secrets: {}, webtask: { secrets: {} } };
  return {
    name: 'in-process function (floor)',
    invoke: () => new Promise((resolve, reject) => hook(input.user, context, (e, r) => (e ? reject(e) : resolve(r)))),
  };
}

async function rawIsolatedVm(): Promise<Variant> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const hook = await compileRawHook(await isolate.createContext(), HOOK);
  const context = { ...input.context, secrets: {}, webtask: { secrets: {} } };
  return {
    name: 'raw isolated-vm, in process',
    // No other process: its CPU is this one's, isolate threads included.
    workers: () => [],
    invoke: () => invokeRawHook(hook, input.user, context),
    close: () => isolate.dispose(),
  };
}

function hooklineInvocation(tenant: string, source = HOOK): HookInvocation {
  return {
    tenant,
    hookId: `${tenant}/hook/bench`,
    script: { filename: 'bench.js', source, hash: createHash('sha256').update(source).digest('hex') },
    input,
    secrets: { API_KEY: 'sk_bench_123456' },
    allowHosts: [],
    timeoutMs: 10_000,
    memoryMb: 64,
  };
}

/**
 * `workers`: the processes whose CPU a variant spends besides this one's (its sandbox workers); a variant
 * that has it gets a row in the CPU table (an empty list: all of its CPU is this process's).
 */
interface Variant {
  name: string;
  invoke: Invoke;
  close?(): Promise<void> | void;
  workers?(): number[];
  /** Its IPC so far (a pool's variants): writes each way and the messages they carried. */
  ipc?(): IpcCount;
}

interface IpcCount {
  writesTo: number;
  messagesTo: number;
  writesFrom: number;
  messagesFrom: number;
}

function noIpc(): IpcCount {
  return { writesTo: 0, messagesTo: 0, writesFrom: 0, messagesFrom: 0 };
}

/**
 * Counts a pool's IPC writes and the messages in them, both ways (each write is an array: one turn's
 * messages). It tells how the invocations in flight travel: in a few large batches, all at once each way, or
 * spread over many small ones.
 */
function ipcCounter(pool: SandboxPool): () => IpcCount {
  const count = noIpc();
  const watched = new WeakSet<ChildProcess>();
  return () => {
    for (const child of workerProcesses(pool)) {
      if (watched.has(child)) continue;
      watched.add(child);
      const send = child.send.bind(child) as (message: unknown, callback?: (error: Error | null) => void) => boolean;
      child.send = ((message: unknown, callback?: (error: Error | null) => void) => {
        count.writesTo++;
        count.messagesTo += Array.isArray(message) ? message.length : 1;
        return send(message, callback);
      }) as ChildProcess['send'];
      child.on('message', (batch: unknown) => {
        count.writesFrom++;
        count.messagesFrom += Array.isArray(batch) ? batch.length : 1;
      });
    }
    return { ...count };
  };
}

/** The pool's worker processes now (its private list: a benchmark reads what the API does not show). */
function workerProcesses(pool: SandboxPool): ChildProcess[] {
  const workers = (pool as unknown as { workers: Array<{ child: ChildProcess } | undefined> }).workers;
  return workers.flatMap((w) => (w ? [w.child] : []));
}

function workerPids(pool: SandboxPool): number[] {
  return workerProcesses(pool).flatMap((child) => (child.pid ? [child.pid] : []));
}

function hooklineWarm(pool: SandboxPool, name = 'Hookline, warm (worker process)'): Variant {
  const invocation = hooklineInvocation('acme');
  return {
    name,
    workers: () => workerPids(pool),
    ipc: ipcCounter(pool),
    invoke: async () => {
      const result = await pool.invoke(invocation);
      if (result.status !== 'ok') throw new Error(`hook failed: ${JSON.stringify(result.error)}`);
      return result.response;
    },
  };
}

/** The sandbox worker's runtime in this process, as a worker sets it up (no memory bound: nothing recycles it here). */
function inProcessRuntime(emit: (message: FromWorker) => void): IsolateRuntime {
  return new IsolateRuntime(emit, { maxRssMb: 1e9, compat: CompatScripts.fromFile(compatRuntimeFile()), onCatastrophicError: () => undefined });
}

/**
 * The sandbox worker's own runtime (IsolateRuntime) in this process, with no IPC: the isolate, its bridges,
 * limits and fair share as in the worker, and the message as the pool builds it (the payload serialised per
 * call, only the hook form's half once the runtime said the form). Between raw isolated-vm and Hookline's
 * warm path, it tells the runtime's share of the difference from the process hop's.
 */
function runtimeInProcess(): Variant {
  const pending = new Map<number, (m: FromWorker) => void>();
  const runtime = inProcessRuntime((m) => {
    if (m.t === 'result') pending.get(m.id)?.(m);
  });
  const inv = hooklineInvocation('acme-in-process');
  const script = prepareHookSource(inv.script.source, 'bench.js');
  let id = 0;
  let loaded = false;
  return {
    name: "Hookline's worker runtime, in process (no IPC)",
    workers: () => [],
    invoke: () =>
      new Promise((resolve, reject) => {
        const callId = ++id;
        pending.set(callId, (m) => {
          pending.delete(callId);
          if (m.t === 'result' && m.status === 'ok') resolve(m.response);
          else reject(new Error(`hook failed: ${JSON.stringify(m)}`));
        });
        const payload = payloadOf(inv.input, loaded ? 'hooks' : undefined);
        runtime.invoke({
          t: 'invoke',
          id: callId,
          tenant: inv.tenant,
          hookId: inv.hookId,
          filename: 'bench.js',
          hash: inv.script.hash,
          ...(loaded ? { parts: 'hooks' as const } : { script }),
          payload,
          secrets: { ...inv.secrets },
          allowHosts: [],
          timeoutMs: inv.timeoutMs,
          memoryMb: inv.memoryMb,
        });
        loaded = true;
      }),
    close: () => {
      runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
      runtime.disposeSpare();
    },
  };
}

/**
 * Node's IPC alone: a round trip to an echo process over the same kind of channel (JSON serialisation), with
 * messages of the pool's shapes and sizes: an invoke (the hook's payload as JSON text inside it) one way, a
 * result the other, each in a batch of one. The floor of any design that keeps isolates out of the app's
 * process: raw isolated-vm plus this is what a warm invocation can cost at the least.
 */
function ipcRoundTrip(): Variant {
  const answer = `process.on('message', (batch) => process.send(batch.map((m) => ({ t: 'result', id: m.id, status: 'ok', response: { message: 'New user: ada (ada.lovelace@example.com) via Username-Password-Authentication', interests: 6, plan: 'enterprise' }, error: null, durationMs: 0, ended: true }))));
process.on('disconnect', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', answer], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
  const waiting = new Map<number, { resolve(): void; reject(error: Error): void }>();
  child.on('message', (batch: Array<{ id: number }>) => {
    for (const m of batch) {
      waiting.get(m.id)?.resolve();
      waiting.delete(m.id);
    }
  });
  // An echo process that dies fails its calls rather than leaving the benchmark waiting.
  child.on('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`the IPC echo process exited (${signal ?? code})`));
    waiting.clear();
  });
  const payload = payloadOf(input, 'hooks');
  let id = 0;
  return {
    name: 'Node IPC round trip alone (echo process)',
    workers: () => (child.pid ? [child.pid] : []),
    invoke: () =>
      new Promise<void>((resolve, reject) => {
        const callId = ++id;
        waiting.set(callId, { resolve, reject });
        child.send([{ t: 'invoke', id: callId, tenant: 'acme', hookId: 'acme/hook/bench', filename: 'bench.js', hash: 'a'.repeat(64), payload, parts: 'hooks', secrets: { API_KEY: 'sk_bench_123456' }, allowHosts: [], timeoutMs: 10_000, memoryMb: 64 }]);
      }),
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}

function nodeVm(): Variant {
  const context = createContext({});
  const hook = new Script(`(function () { const module = { exports: {} }; (function (module, exports) { ${HOOK} })(module, module.exports); return module.exports; })()`).runInContext(context);
  const ctx = { ...input.context, secrets: {}, webtask: { secrets: {} } };
  return {
    name: 'node:vm (not a security boundary)',
    invoke: () => new Promise((resolve, reject) => hook(input.user, ctx, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r)))),
  };
}

function vm2(): Variant {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { VM } = require('vm2') as typeof import('vm2');
  const vm = new VM({ timeout: 10_000, allowAsync: true });
  const hook = vm.run(`(function () { const module = { exports: {} }; (function (module, exports) { ${HOOK} })(module, module.exports); return module.exports; })()`);
  const ctx = { ...input.context, secrets: {}, webtask: { secrets: {} } };
  return {
    name: 'vm2 (deprecated, escapable)',
    invoke: () => new Promise((resolve, reject) => hook(input.user, ctx, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r)))),
  };
}

/** Sequential calls: per-call latencies (µs) and the time they took (ms). */
async function sequential(invoke: Invoke, n: number): Promise<{ samples: number[]; ms: number }> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await invoke();
    samples.push((performance.now() - t) * 1000);
  }
  return { samples, ms: performance.now() - started };
}

/** `n` calls with `inFlight` at a time: the time they took (ms). */
async function concurrent(invoke: Invoke, n: number, inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < n) await invoke();
    }),
  );
  return performance.now() - started;
}

async function coldPath(pool: SandboxPool): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < COLD_TENANTS; i++) {
    const t = performance.now();
    const result = await pool.invoke(hooklineInvocation(`cold-${i}`));
    if (result.status !== 'ok') throw new Error(`cold hook failed: ${JSON.stringify(result.error)}`);
    samples.push((performance.now() - t) * 1000);
  }
  return samples;
}

/** Idle tenants: the worker's own runtime, in this process, one tenant isolate each with its hook loaded. */
async function memoryPerTenant(): Promise<{ perTenantMb: number; tenantsPerGiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const pending = new Map<number, () => void>();
  const runtime = inProcessRuntime((m) => {
    if (m.t === 'result') pending.get(m.id)?.();
  });
  const once = (id: number, tenant: string) =>
    new Promise<void>((resolve) => {
      pending.set(id, resolve);
      const inv = hooklineInvocation(tenant);
      void runtime.invoke({ t: 'invoke', id, tenant, hookId: inv.hookId, filename: 'bench.js', hash: inv.script.hash, script: prepareHookSource(inv.script.source, 'bench.js'), payload: JSON.stringify(input), secrets: {}, allowHosts: [], timeoutMs: 10_000, memoryMb: 64 });
    });
  await once(0, 'warm-up');
  gc();
  await new Promise((r) => setTimeout(r, 200));
  const before = process.memoryUsage.rss();
  for (let i = 1; i <= IDLE_TENANTS; i++) await once(i, `idle-${i}`);
  gc();
  await new Promise((r) => setTimeout(r, 500));
  const perTenantMb = (process.memoryUsage.rss() - before) / IDLE_TENANTS / 2 ** 20;
  runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
  runtime.disposeSpare();
  return { perTenantMb, tenantsPerGiB: Math.floor(1024 / perTenantMb) };
}

/** The host's event-loop delay while hooks that each burn ~20 ms of CPU run, 16 in flight, for ~2 s. */
async function eventLoopLag(invoke: Invoke): Promise<{ p50: number; p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const until = performance.now() + 2_000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await invoke();
        await new Promise(setImmediate); // Let the event loop turn, as a server would between requests.
      }
    }),
  );
  histogram.disable();
  const ms = (ns: number) => ns / 1e6;
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
}

/**
 * The worker's fair scheduler alone, on a simulated clock: one tenant at 2,000 hooks a second for three
 * budget windows (submit, charge, release per invocation, as a worker does with one hook in flight). µs
 * per invocation once the window is full.
 */
function schedulerCost(): number {
  let now = 0;
  const share = new FairShare(SANDBOX_LIMITS.cpuSlotsPerWorker, () => undefined, () => now);
  const budget = SANDBOX_LIMITS.defaultCpuBudget;
  const perWindow = (budget.windowMs / 1000) * 2_000;
  let started = 0;
  for (let i = 0; i < 3 * perWindow; i++) {
    if (i === perWindow) started = performance.now();
    share.submit({ id: i, tenant: 'acme', hookId: 'acme/hook/h', budget, start: () => undefined });
    share.charge('acme', 0.1);
    share.release('acme', 0.2);
    now += 0.5;
  }
  return ((performance.now() - started) * 1000) / (2 * perWindow);
}

/** CPU µs per invocation: this process (the app's side: the pool), and the sandbox workers' threads. */
interface CpuSplit {
  app: number;
  workerMain: number;
  workerIsolates: number;
  workerV8: number;
}
type CpuKey = keyof CpuSplit;

/** CPU ms so far, and which worker processes it was read from. */
function cpuSplit(variant: Variant): CpuSplit & { pids: string } {
  const pids = variant.workers?.() ?? [];
  const split = { app: threadSum(threadCpuMs(process.pid)), workerMain: 0, workerIsolates: 0, workerV8: 0, pids: pids.join(',') };
  for (const pid of pids) {
    const t = threadCpuMs(pid);
    split.workerMain += t.main;
    split.workerIsolates += t.other;
    split.workerV8 += t.v8;
  }
  return split;
}

function threadSum(t: { main: number; v8: number; other: number }): number {
  return t.main + t.v8 + t.other;
}

function perInvocation(before: CpuSplit, after: CpuSplit, n: number): CpuSplit {
  const us = (key: CpuKey) => ((after[key] - before[key]) * 1000) / n;
  return { app: us('app'), workerMain: us('workerMain'), workerIsolates: us('workerIsolates'), workerV8: us('workerV8') };
}

/** Another build's SandboxPool (BENCH_BASELINE: a checkout, built), for the warm path side by side. */
function baselineSandbox(root: string): SandboxPool {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SandboxPool: Baseline } = require(join(resolve(root), 'dist/src/hookline/hooks/host/sandbox.pool.js')) as { SandboxPool: typeof SandboxPool };
  const pool = new Baseline();
  pool.warmUp();
  return pool;
}

const BURN = `module.exports = function (user, context, cb) { var end = Date.now() + 20; while (Date.now() < end) {} cb(); };`;

async function main(): Promise<void> {
  const pool = new SandboxPool();
  pool.warmUp();
  const variants: Variant[] = [inProcess(), await rawIsolatedVm(), ipcRoundTrip(), runtimeInProcess(), hooklineWarm(pool), nodeVm(), vm2()];
  const baselinePool = BASELINE ? baselineSandbox(BASELINE) : undefined;
  if (baselinePool) variants.splice(5, 0, hooklineWarm(baselinePool, 'Hookline, warm, baseline build'));
  for (const variant of variants) for (let i = 0; i < 300; i++) await variant.invoke(); // Warm-up: JIT, caches, the worker.
  const totals = variants.map(() => ({ samples: [] as number[], seqMs: 0, parMs: 0, cpu: [] as CpuSplit[], ipc: noIpc(), ipcCalls: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    // Every other round in reverse, so that no variant always runs right after another.
    const order = [...variants.keys()];
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const variant = variants[i];
      const seq = await sequential(variant.invoke, SEQUENTIAL);
      totals[i].samples.push(...seq.samples);
      totals[i].seqMs += seq.ms;
      const ipcBefore = variant.ipc?.();
      const before = cpuSplit(variant);
      totals[i].parMs += await concurrent(variant.invoke, CONCURRENT, IN_FLIGHT);
      const after = cpuSplit(variant);
      const ipcAfter = variant.ipc?.();
      // A worker replaced during the round would count another process's CPU, and its IPC would go uncounted
      // until the next round: that round has no figure.
      const sameWorkers = before.pids === after.pids;
      if (variant.workers && sameWorkers) totals[i].cpu.push(perInvocation(before, after, CONCURRENT));
      if (ipcBefore && ipcAfter && sameWorkers) {
        for (const key of Object.keys(ipcAfter) as Array<keyof IpcCount>) totals[i].ipc[key] += ipcAfter[key] - ipcBefore[key];
        totals[i].ipcCalls += CONCURRENT;
      }
    }
  }
  const rows: Array<Array<string | number>> = [];
  let rawMedian = NaN;
  for (const [i, variant] of variants.entries()) {
    const stats = summarize(totals[i].samples);
    if (variant.name.startsWith('raw')) rawMedian = stats.median;
    const perSecond = (ms: number, n: number) => (n * ROUNDS) / (ms / 1000);
    rows.push([variant.name, stats.median, stats.p99, perSecond(totals[i].seqMs, SEQUENTIAL), perSecond(totals[i].parMs, CONCURRENT)]);
  }
  const cpuRows = variants.flatMap((variant, i) => {
    const rounds = totals[i].cpu;
    if (rounds.length === 0) return [];
    const of = (key: CpuKey) => median(rounds.map((r) => r[key]));
    const all = median(rounds.map((r) => r.app + r.workerMain + r.workerIsolates + r.workerV8));
    return [[variant.name, of('app'), of('workerMain'), of('workerIsolates'), of('workerV8'), all]];
  });
  const ipcRows = variants.flatMap((variant, i) => {
    const c = totals[i].ipc;
    if (!variant.ipc || c.writesTo === 0 || c.writesFrom === 0) return [];
    return [[variant.name, c.messagesTo / c.writesTo, c.messagesFrom / c.writesFrom, (c.writesTo + c.writesFrom) / totals[i].ipcCalls]];
  });
  const cold = summarize(await coldPath(pool));
  rows.splice(baselinePool ? 6 : 5, 0, ['Hookline, cold (first call of a tenant)', cold.median, cold.p99, 1e6 / cold.mean, NaN]);
  for (const row of rows) row.splice(3, 0, (row[1] as number) / rawMedian);

  const lagHookline = await eventLoopLag(async () => {
    const r = await pool.invoke(hooklineInvocation('burn', BURN));
    if (r.status !== 'ok') throw new Error(JSON.stringify(r.error));
  });
  const burnVm = nodeVmBurn();
  const lagNodeVm = await eventLoopLag(burnVm);
  await pool.close();
  await baselinePool?.close();
  for (const variant of variants) await variant.close?.();
  const memory = await memoryPerTenant();
  const scheduler = Math.min(schedulerCost(), schedulerCost(), schedulerCost());

  process.stdout.write(`${machine()}; hook payload ${payloadBytes} bytes as JSON\n\n`);
  process.stdout.write(
    table(['per invocation', 'median µs', 'p99 µs', 'median / raw ivm', 'sequential /s', `${IN_FLIGHT} in flight /s`], rows) + '\n\n',
  );
  process.stdout.write(
    table(
      [`CPU µs per invocation, ${IN_FLIGHT} in flight (medians of rounds)`, 'this process', 'worker main thread', 'worker isolate threads', "worker's Node and V8 threads", 'all'],
      cpuRows,
    ) + '\n\n',
  );
  process.stdout.write(
    table([`IPC, ${IN_FLIGHT} in flight (rounds without a worker replaced)`, 'messages per write to the worker', 'messages per write back', 'writes per invocation, both ways'], ipcRows) + '\n\n',
  );
  process.stdout.write(
    table(
      ['host event-loop lag, hooks burning 20 ms CPU each, 16 in flight', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['Hookline (isolates in worker processes)', lagHookline.p50, lagHookline.p99, lagHookline.max],
        ['node:vm in the host process', lagNodeVm.p50, lagNodeVm.p99, lagNodeVm.max],
      ],
    ) + '\n\n',
  );
  process.stdout.write(
    table(['idle tenant isolates (hook loaded)', 'MB each (RSS)', 'tenants per GiB'], [[`${IDLE_TENANTS} tenants`, memory.perTenantMb, memory.tenantsPerGiB]]) + '\n\n',
  );
  process.stdout.write(table(['fair scheduler (simulated clock)', 'µs per invocation'], [['one tenant, 2,000 hooks/s, budget window full', scheduler]]) + '\n');
}

function nodeVmBurn(): Invoke {
  const context = createContext({});
  const hook = new Script(`(function () { const module = { exports: {} }; (function (module, exports) { ${BURN} })(module, module.exports); return module.exports; })()`).runInContext(context);
  return () => new Promise((resolve) => hook({}, {}, resolve));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
