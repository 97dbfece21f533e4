/**
 * The example app (`dist/sample/main.js`) as a child process, measured from outside: its CPU (with its
 * sandbox workers'), its memory, registrations over HTTP, and local receivers standing in for the
 * consumers' endpoints (they answer at once). Shared by the delivery-cost benchmark and the soak.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('hookline-bench-secret-0123').toString('base64');
/** What the benchmark's hook logs: one line per sign-up in the app's output, counted from outside. */
export const HOOK_MARK = 'bench-hook';
const TICK_MS = 1000 / 100; // /proc reports CPU time in clock ticks (USER_HZ, 100 on Linux).

export type Kind = 'webhook' | 'hook' | 'slack' | 'hubspot';

/** Arrival times (performance.now() of this process) per consumer kind, one per delivered sign-up. */
export class Arrivals {
  readonly at: Record<Kind, number[]> = { webhook: [], hook: [], slack: [], hubspot: [] };

  add(kind: Kind, count = 1): void {
    const now = performance.now();
    for (let i = 0; i < count; i++) this.at[kind].push(now);
  }

  count(kind: Kind): number {
    return this.at[kind].length;
  }

  reset(): void {
    for (const kind of Object.keys(this.at) as Kind[]) this.at[kind] = [];
  }

  /** Resolves once `predicate` holds (polled every 10 ms), or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.counts())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  counts(): Record<Kind, number> {
    return { webhook: this.count('webhook'), hook: this.count('hook'), slack: this.count('slack'), hubspot: this.count('hubspot') };
  }
}

/**
 * One HTTP server for every consumer endpoint: `/webhook/N` (signed webhooks), `/slack` (a Slack
 * incoming webhook; a digest's sign-ups are its lines) and HubSpot's `batch/upsert` (one result per input).
 */
export async function startSinks(arrivals: Arrivals): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const path = req.url ?? '/';
      if (path.startsWith('/webhook/')) {
        arrivals.add('webhook');
        res.end('ok');
      } else if (path === '/slack') {
        const text = (JSON.parse(body) as { text?: string }).text ?? '';
        arrivals.add('slack', text.split('New user:').length - 1);
        res.end('ok');
      } else if (path.endsWith('/batch/upsert')) {
        const inputs = (JSON.parse(body) as { inputs: Array<{ id: string; properties: Record<string, string>; objectWriteTraceId?: string }> }).inputs;
        arrivals.add('hubspot', inputs.length);
        const now = new Date().toISOString();
        const results = inputs.map((input, i) => ({
          id: String(i + 1),
          properties: { ...input.properties, email: input.id },
          createdAt: now,
          updatedAt: now,
          archived: false,
          ...(input.objectWriteTraceId ? { objectWriteTraceId: input.objectWriteTraceId } : {}),
        }));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'COMPLETE', results, startedAt: now, completedAt: now }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export interface Consumers {
  webhooks: number;
  hook: boolean;
  slack: boolean;
  hubspot: boolean;
}

/** A config file (and hook script) in a new temporary directory: tenant `acme` with the consumers, `globex` with none. */
export function writeConfig(origin: string, consumers: Consumers): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-'));
  writeFileSync(
    join(dir, 'hook.js'),
    `module.exports = function (user, context, cb) {\n  console.log('${HOOK_MARK} ' + (user.username || user.email) + ' (' + user.email + ') via ' + context.connection.name);\n  cb();\n};\n`,
  );
  const connectors: unknown[] = [];
  for (let i = 1; i <= consumers.webhooks; i++) {
    connectors.push({ type: 'webhook', name: `crm-${i}`, url: `${origin}/webhook/${i}`, secret: WEBHOOK_SECRET, headers: { 'x-source': 'hookline-bench' } });
  }
  if (consumers.slack) {
    connectors.push({
      type: 'slack',
      name: 'signups',
      webhookUrl: `${origin}/slack`,
      text: 'New user: {{ user.username | default: user.email }} ({{ user.email }})',
      // Slack takes about one message a second: the largest digest keeps the drain of a burst short.
      digest: { maxWaitMs: 2000, maxItems: 50 },
    });
  }
  if (consumers.hubspot) {
    connectors.push({
      type: 'hubspot',
      name: 'contacts',
      accessToken: 'pat-bench-0123456789',
      baseUrl: origin,
      properties: { email: '{{ user.email }}', phone: '{{ user.phoneNumber }}', firstname: '{{ user.user_metadata.firstName }}' },
      // A local receiver: a Professional account's limit, so that the limit is not what is measured.
      rateLimit: { requests: 190, perMs: 10_000 },
      batch: { maxItems: 100, maxWaitMs: 1000 },
    });
  }
  const config = {
    tenants: {
      acme: { hooks: consumers.hook ? [{ name: 'log-new-user', script: 'hook.js' }] : [], connectors },
      globex: {},
    },
  };
  const file = join(dir, 'hookline.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2)); // JSON is YAML.
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** CPU time (ms) of a process and its live descendants, plus its waited-for children's. */
export function cpuMs(pid: number): number {
  const stat = readStat(pid);
  if (!stat) return 0;
  let ticks = stat.utime + stat.stime + stat.cutime + stat.cstime;
  for (const child of descendants(pid)) {
    const s = readStat(child);
    if (s) ticks += s.utime + s.stime;
  }
  return ticks * TICK_MS;
}

/** CPU time (ms) of a process's live descendants alone (the example app's: its sandbox workers). */
export function descendantsCpuMs(pid: number): number {
  let ticks = 0;
  for (const child of descendants(pid)) {
    const s = readStat(child);
    if (s) ticks += s.utime + s.stime;
  }
  return ticks * TICK_MS;
}

/**
 * CPU time (ms) of one process's threads, split: its main thread; isolated-vm's threads, which run the
 * isolates (they take the name of the thread that started them, `MainThread` on Node 24 and later); and
 * Node's and V8's own (`V8Worker` for garbage collection and compilation, `libuv-worker`, and the rest).
 * A thread that ended between two readings takes its CPU with it.
 */
export function threadCpuMs(pid: number): { main: number; v8: number; other: number } {
  const out = { main: 0, v8: 0, other: 0 };
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
      if (Number(tid) === pid) out.main += ms;
      else if (name === 'MainThread') out.other += ms;
      else out.v8 += ms;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Resident set size of one process, in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const siblings = parents.get(stat.ppid) ?? [];
    siblings.push(Number(name));
    parents.set(stat.ppid, siblings);
  }
  const out: number[] = [];
  const stack = [...(parents.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(parents.get(pid) ?? []));
  }
  return out;
}

interface ProbeAnswer {
  /** Bytes allocated by `url|function:line` (see the probe). */
  allocation?: Record<string, number>;
  memory?: NodeJS.MemoryUsage;
  spaces?: Record<string, { used: number; committed: number }>;
  loop?: LoopDelay;
}

/** The app's event-loop delay (ms) over a span, and its garbage collections' pauses (ms) in it. */
export interface LoopDelay {
  p99: number;
  max: number;
  gc: { count: number; ms: number; max: number; major: number };
}

/** BENCH_NODE_ARGS: extra flags for the example app (e.g. `--cpu-prof`, `--max-old-space-size=256`). */
export function nodeArgsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

export interface AppOptions {
  /** The checkout whose build runs (default: this one). */
  root: string;
  config: string;
  arrivals: Arrivals;
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  /** The app's entry under `root`. @default 'dist/sample/main.js' (the example app) */
  entry?: string;
}

/** The example app, started and ready; `register` posts one sign-up and resolves with its latency (ms). */
export class ExampleApp {
  private readonly agent: Agent;
  private probeWaiters: Array<(answer: ProbeAnswer) => void> = [];
  private seq = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    inFlight: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    child.on('message', (answer: ProbeAnswer) => this.probeWaiters.shift()?.(answer));
  }

  static async start(options: AppOptions, inFlight = 64): Promise<ExampleApp> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--no-node-snapshot', '--require', join(__dirname, 'memory-probe.js'), ...(options.nodeArgs ?? []), join(options.root, options.entry ?? 'dist/sample/main.js')],
      {
        cwd: options.root,
        env: { ...process.env, ...options.env, PORT: String(port), HOOKLINE_CONFIG: options.config, HOOKLINE_ADMIN_TOKEN: '', HOOKLINE_ADMIN_PATH: '' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    let output = '';
    let pending = '';
    // BENCH_APP_OUTPUT=<file>: every line the app prints is appended to it (e.g. with `--trace-gc`).
    const keep = process.env.BENCH_APP_OUTPUT;
    if (keep) {
      child.stdout!.on('data', (chunk: Buffer) => appendFileSync(keep, chunk));
      child.stderr!.on('data', (chunk: Buffer) => appendFileSync(keep, chunk));
    }
    const ready = new Promise<void>((resolve, reject) => {
      const onLine = (line: string) => {
        if (line.includes(HOOK_MARK)) options.arrivals.add('hook');
        else if (line.includes('listening on')) resolve();
        else if (output.length < 20_000) output += line + '\n';
      };
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop()!;
        for (const line of lines) onLine(line);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        if (output.length < 20_000) output += chunk.toString();
      });
      child.once('exit', (code) => reject(new Error(`the example app exited (${code}) before listening:\n${output}`)));
    });
    await ready;
    return new ExampleApp(child, port, inFlight);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The app's own `process.memoryUsage()` (through the probe `--require`d into it). */
  async memory(): Promise<NodeJS.MemoryUsage> {
    return (await this.probe('memory')).memory!;
  }

  /**
   * The app's memory after a full garbage collection (through the probe): what is live, and V8's heap
   * spaces, used and committed (bytes) by name. The collection costs the app a pause; the soak asks for
   * it only with BENCH_SOAK_LIVE=1.
   */
  async liveMemory(): Promise<{ memory: NodeJS.MemoryUsage; spaces: Record<string, { used: number; committed: number }> }> {
    const answer = await this.probe('live');
    return { memory: answer.memory!, spaces: answer.spaces! };
  }

  /** V8's heap spaces as they are (no collection), used and committed bytes by name (through the probe). */
  async heapSpaces(): Promise<Record<string, { used: number; committed: number }>> {
    return (await this.probe('spaces')).spaces!;
  }

  /** The app's event-loop delay and GC pauses (ms) since the previous call (through the probe). */
  async loopDelay(): Promise<LoopDelay> {
    return (await this.probe('loop')).loop!;
  }

  /** Starts counting what the app allocates (V8's sampling heap profiler, through the probe). */
  async startAllocationProfile(): Promise<void> {
    await this.probe('allocation-start');
  }

  /** What the app allocated since {@link startAllocationProfile}: bytes by `url|function:line`, sampled. */
  async stopAllocationProfile(): Promise<Record<string, number>> {
    return (await this.probe('allocation-stop')).allocation ?? {};
  }

  private probe(question: 'memory' | 'live' | 'loop' | 'spaces' | 'allocation-start' | 'allocation-stop'): Promise<ProbeAnswer> {
    return new Promise((resolve) => {
      this.probeWaiters.push(resolve);
      this.child.send(question);
    });
  }

  register(tenant: string, tag: string): Promise<number> {
    const n = ++this.seq;
    const body = JSON.stringify({
      email: `user-${tag}-${n}@example.com`,
      username: `user${n}`,
      phoneNumber: '+44 20 7946 0958',
      user_metadata: { firstName: 'Ada', interests: ['mathematics', 'poetry', 'engines'], locale: 'en-GB' },
      app_metadata: { plan: 'enterprise', roles: ['admin'] },
    });
    return this.post(tenant, body, performance.now(), true);
  }

  /**
   * One POST. A kept-alive socket the app closed while idle answers ECONNRESET: sent again once, on a
   * new socket (the request never reached the app), its latency still counted from the first send.
   */
  private post(tenant: string, body: string, started: number, retry: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: this.port, method: 'POST', path: `/tenants/${tenant}/users`, agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res: IncomingMessage) => {
          res.resume();
          res.on('end', () => (res.statusCode === 201 ? resolve(performance.now() - started) : reject(new Error(`sign-up answered ${res.statusCode}`))));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && error.code === 'ECONNRESET') resolve(this.post(tenant, body, started, false));
        else reject(error);
      });
      req.end(body);
    });
  }

  /** `n` sign-ups, `inFlight` at a time (closed loop): their latencies, and when the last one was answered. */
  async burst(tenant: string, tag: string, n: number, inFlight: number): Promise<{ latencies: number[]; lastAnsweredAt: number }> {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < n) latencies.push(await this.register(tenant, tag));
      }),
    );
    return { latencies, lastAnsweredAt: performance.now() };
  }

  /** Sign-ups sent at a fixed rate whatever the answers do (open loop), for `seconds`: their latencies. */
  async paced(tenant: string, tag: string, perSecond: number, seconds: number): Promise<number[]> {
    const latencies: number[] = [];
    const pending: Array<Promise<void>> = [];
    const start = performance.now();
    const total = Math.round(perSecond * seconds);
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      // Latency counts from when the request was due, so that a late send (coordinated omission) still counts.
      const dueAt = due;
      pending.push(this.register(tenant, tag).then((ms) => void latencies.push(Math.max(ms, performance.now() - dueAt))));
    }
    await Promise.all(pending);
    return latencies;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
