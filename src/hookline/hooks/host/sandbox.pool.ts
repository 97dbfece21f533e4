import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { HookSourceSyntaxError } from '../compat/compat.errors';
import { compatRuntimeFile } from '../compat/compat-runtime';
import { prepareHookSource, type PreparedHookSource } from '../compat/hook-script';
import { SANDBOX_LIMITS } from './sandbox.limits';
import type { FromWorker, InvokeMessage, ScriptForm, ToWorker } from './sandbox.protocol';
import { sandboxWorkerEntry } from './sandbox-worker.entry';
import { caId, readCaOption, workerEnvironment, workerTrustFlags } from './sandbox-trust';
import type { CpuBudget, HookInput, HookInvocation, HookLogEntry, HookScript, InvocationResult, Sandbox, SandboxStatus } from './sandbox.types';
import { evictOldest } from '../../core/util/bounded-map';
import type { HookStorage } from '../storage/hook-storage';
import { MemoryHookStorage } from '../storage/memory-hook-storage';
import { serveStorage, type StorageSession } from '../storage/storage-broker';

export interface SandboxPoolOptions {
  /**
   * Sandbox worker processes. Tenants are assigned to one by a hash of their id (affinity), so a
   * tenant's isolate stays warm.
   * @default the number of cores, at most 4
   */
  size?: number;
  /**
   * A worker whose resident memory passes this is replaced once its invocations are done.
   * @default 1536
   */
  workerMaxRssMb?: number;
  /**
   * How long a new worker may take to start (say it is ready); invocations sent to it meanwhile wait
   * without their timeout running. A worker not ready by then is killed and replaced.
   * @default 20000
   */
  workerStartTimeoutMs?: number;
  /**
   * Extra CA certificates every hook's HTTPS requests trust, on top of Node's (and `NODE_EXTRA_CA_CERTS`,
   * which workers inherit from the app along with `SSL_CERT_FILE`/`SSL_CERT_DIR`): PEM text, or the path of
   * a PEM file relative to the working directory.
   */
  ca?: string;
  /**
   * Tenants whose hooks may start at once in one worker; the others wait their turn, round-robin by
   * tenant, tenants past their CPU budget last. Waiting does not count toward a hook's timeout.
   * @default 2
   */
  cpuSlots?: number;
  /** Called when a tenant past its CPU budget is held back for another tenant's hook: at most once per tenant per budget window. */
  onThrottled?(throttle: SandboxThrottle): void;
  /**
   * Where `context.webtask.storage` keeps each tenant's hooks' data.
   * @default a MemoryHookStorage of this pool (the module passes a RedisHookStorage with the bullmq transport)
   */
  storage?: HookStorage;
  /** Where the pool reports crashes and restarts. */
  log?(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** A tenant held back in the sandbox for being past its CPU budget. */
export interface SandboxThrottle {
  tenant: string;
  /** The hook whose invocation waited (its consumer id). */
  hookId: string;
  /** CPU its isolates used within the window, in ms. */
  usedMs: number;
  budget: CpuBudget;
  /** In words, for logs and operator events. */
  reason: string;
}

interface Pending {
  /** Its id in the worker. */
  id: number;
  /** It was sent again with all of its arguments (see `resend`). */
  resent?: boolean;
  invocation: HookInvocation;
  /** Its script, prepared (kept for `resend`). */
  prepared: PreparedHookSource;
  startedAt: number;
  logs: HookLogEntry[];
  result?: InvocationResult;
  resolve(result: InvocationResult): void;
  /**
   * Runs from its start: none while it waits in the worker for its turn. For an invocation that could not be
   * sent, the wait for its worker's exit instead (see `sendInvocation`).
   */
  graceTimer?: NodeJS.Timeout;
  unlisten(): void;
  /** The version of its storage the invocation last read or wrote. */
  storage: StorageSession;
}

interface Worker {
  index: number;
  child: ChildProcess;
  pending: Map<number, Pending>;
  /** Script hash last sent per hook: a worker gets each version's source once. */
  scripts: Map<string, string>;
  /** The form of each hook's script (by hook, for one version), as the worker said when it loaded it. */
  forms: Map<string, { hash: string; form: ScriptForm }>;
  /** Extra CA sets (by id) the worker has received. */
  cas: Set<string>;
  /** Bundled npm packages (by module id) the worker has received. */
  packages: Set<string>;
  stderrTail: string;
  /** Messages to send at the end of this tick, as one batch. */
  outbox: Array<{ message: ToWorker; onError?(error: Error): void }>;
  fatal?: string;
  /** Why the pool killed it, if it did. */
  killing?: string;
  startedAt: number;
  /** It said it was ready: it did start. */
  answered: boolean;
  /** Kills it if it does not say it is ready in time (cleared at its first message). */
  startTimer?: NodeJS.Timeout;
  startTimedOut?: boolean;
  retired: boolean;
}

const STDERR_TAIL = 8 * 1024;
/** Prepared script versions kept by the pool (least recently used dropped first). */
const PREPARED_SCRIPTS = 500;
// "invalid size error": V8 (Node 24+) aborts the process on an allocation past its size limits, e.g. a 2^28-element array.
const OUT_OF_MEMORY = /out of memory|heap limit|allocation failed|Last few GCs|JS stacktrace|invalid size error/i;
/** How long a worker that started dying of V8 out-of-memory may take to exit before it is killed. */
const DYING_GRACE_MS = 250;
/** How long an invocation that could not be sent waits for its worker's exit to say why (see `sendInvocation`). */
const UNSENT_WAIT_MS = 3_000;

/**
 * Runs hooks in a small pool of supervised sandbox worker processes. Workers start on first use; a
 * worker that dies is restarted at once and its in-flight invocations end with a clear status; the
 * app never loads isolated-vm itself.
 */
export class SandboxPool implements Sandbox {
  private readonly workers: Array<Worker | undefined>;
  private readonly draining = new Set<Worker>();
  private nextId = 1;
  private closed = false;
  private readonly prepared = new Map<string, PreparedHookSource | Error>();
  private compatFile?: string;
  private readonly ca?: string;
  /** When each tenant was last reported throttled: once per tenant per window, whichever worker saw it. */
  private readonly throttledAt = new Map<string, number>();
  private readonly storage: HookStorage;
  /** Workers in a row that exited before they ever answered. */
  private failedStarts = 0;

  constructor(private readonly options: SandboxPoolOptions = {}) {
    this.storage = options.storage ?? new MemoryHookStorage();
    const size = options.size ?? Math.min(4, availableParallelism());
    if (!Number.isInteger(size) || size < 1) throw new TypeError(`SandboxPool: size must be a positive integer, received ${size}`);
    this.workers = new Array(size).fill(undefined);
    if (options.ca !== undefined) this.ca = readCaOption(options.ca, process.cwd());
    const slots = options.cpuSlots;
    if (slots !== undefined && (!Number.isInteger(slots) || slots < 1)) throw new TypeError(`SandboxPool: cpuSlots must be a positive integer, received ${slots}`);
    const start = options.workerStartTimeoutMs;
    if (start !== undefined && (!Number.isInteger(start) || start < 1)) throw new TypeError(`SandboxPool: workerStartTimeoutMs must be a positive integer (ms), received ${start}`);
  }

  /** Workers running and answering, and failed starts in a row (see {@link SandboxStatus}). */
  status(): SandboxStatus {
    const workers = this.workers.filter((w) => w && w.answered && !w.retired && !w.killing).length;
    return { workers, failedStarts: this.failedStarts };
  }

  /** Worker processes running, those finishing their last invocations before a replacement included. */
  get workerCount(): number {
    return this.workers.filter((w) => w !== undefined).length + this.draining.size;
  }

  /** Starts every worker now rather than on first use. */
  warmUp(): void {
    for (let i = 0; i < this.workers.length; i++) this.workerAt(i);
  }

  invoke(invocation: HookInvocation): Promise<InvocationResult> {
    if (this.closed) return Promise.resolve(failure('error', 'SandboxClosedError', 'the sandbox is closed', 0, true));
    const prepared = this.prepare(invocation.script);
    if (prepared instanceof Error) {
      const name = prepared instanceof HookSourceSyntaxError ? 'SyntaxError' : prepared.name;
      return Promise.resolve(failure('error', name, prepared.message, 0));
    }
    const worker = this.workerAt(affinity(invocation.tenant, this.workers.length));
    const id = this.nextId++;
    const message = this.invokeMessage(worker, id, invocation, prepared, false);
    return new Promise<InvocationResult>((resolve) => {
      const startedAt = performance.now();
      // Its id in the worker: a new one if it is sent again (see resend).
      const onAbort = () => this.send(worker, { t: 'cancel', id: pending.id, reason: 'the delivery was cancelled' });
      invocation.signal?.addEventListener('abort', onAbort, { once: true });
      const pending: Pending = {
        id,
        invocation,
        prepared,
        startedAt,
        logs: [],
        resolve,
        storage: {},
        unlisten: () => invocation.signal?.removeEventListener('abort', onAbort),
      };
      this.armGrace(worker, id, pending);
      worker.pending.set(id, pending);
      this.updateRef(worker);
      this.sendInvocation(worker, pending, message);
      if (invocation.signal?.aborted) onAbort();
    });
  }

  /**
   * The invoke message for one invocation: the script, packages and CA certificates the worker has not
   * received yet, and the hook's arguments: once the worker said which form this version of the script
   * has, only what that form reads, unless `full`.
   */
  private invokeMessage(worker: Worker, id: number, invocation: HookInvocation, prepared: PreparedHookSource, full: boolean): InvokeMessage {
    const known = worker.forms.get(invocation.hookId);
    const form = !full && known?.hash === invocation.script.hash ? known.form : undefined;
    const message: InvokeMessage = {
      t: 'invoke',
      id,
      tenant: invocation.tenant,
      hookId: invocation.hookId,
      filename: invocation.script.filename,
      hash: invocation.script.hash,
      payload: payloadOf(invocation.input, form),
      ...(form ? { parts: form } : {}),
      secrets: { ...invocation.secrets },
      allowHosts: [...invocation.allowHosts],
      timeoutMs: invocation.timeoutMs,
      memoryMb: invocation.memoryMb,
      ...(invocation.cpuBudget ? { cpuBudget: { ...invocation.cpuBudget } } : {}),
    };
    if (worker.scripts.get(invocation.hookId) !== invocation.script.hash) {
      message.script = prepared;
      worker.scripts.set(invocation.hookId, invocation.script.hash);
    }
    const unsent = (invocation.script.dependencies ?? []).filter((d) => !worker.packages.has(d.id));
    if (unsent.length > 0) {
      message.dependencies = unsent.map(({ id, source }) => ({ id, source }));
      unsent.forEach((d) => worker.packages.add(d.id));
    }
    const ca = [this.ca, invocation.ca].filter((pem): pem is string => !!pem).join('');
    if (ca) {
      message.trust = caId(ca);
      if (!worker.cas.has(message.trust)) {
        message.ca = ca;
        worker.cas.add(message.trust);
      }
    }
    return message;
  }

  /**
   * A send fails when the worker is gone or going. Its exit then settles the invocation with the cause (out
   * of memory, a signal, a fatal isolate error), as for every other invocation it had, and logs it. Should
   * the exit not come in time (a channel closed on a worker that lives on), the invocation fails as unsent,
   * which is logged as a crash; the worker is killed and leaves its place, and the next invocation starts
   * a new one.
   */
  private sendInvocation(worker: Worker, pending: Pending, message: InvokeMessage): void {
    this.send(worker, message, (error) => {
      if (pending.result) return;
      clearTimeout(pending.graceTimer);
      pending.graceTimer = setTimeout(() => {
        const cause = `its channel closed (${error.message}) and it did not exit`;
        this.options.log?.('error', 'sandbox worker crashed; restarting it', { worker: worker.index, cause, inFlight: worker.pending.size });
        this.settle(pending, failure('error', 'SandboxCrashError', `could not reach the sandbox worker: ${error.message}`, elapsed(pending.startedAt), true));
        this.forget(worker, pending.id);
        this.kill(worker, 'its channel closed');
        // Even if it had exited already and only its 'close' is missing (kill then does nothing).
        if (this.workers[worker.index] === worker) this.workers[worker.index] = undefined;
      }, UNSENT_WAIT_MS).unref();
    });
  }

  /**
   * The worker refused an invocation sent with half the arguments: the script's exports changed form when it
   * was loaded again (they depend on chance or time). The hook did not run; it goes again, once, with all
   * of them, under a new id (the worker ends the old one).
   */
  private resend(worker: Worker, oldId: number, pending: Pending): void {
    clearTimeout(pending.graceTimer);
    worker.pending.delete(oldId);
    pending.resent = true;
    const id = this.nextId++;
    pending.id = id;
    worker.pending.set(id, pending);
    this.armGrace(worker, id, pending);
    this.sendInvocation(worker, pending, this.invokeMessage(worker, id, pending.invocation, pending.prepared, true));
  }

  /**
   * The worker times its invocations itself; this covers a worker that stopped answering (a V8
   * out-of-memory abort can hang while printing its report): it is killed, and restarted. Armed when the
   * invocation is sent, disarmed while the worker says it waits for its turn, re-armed when it starts.
   * Not armed while a new worker has not said it is ready: its start has a deadline of its own, and
   * every invocation waiting for it is armed when it answers.
   */
  private armGrace(worker: Worker, id: number, pending: Pending): void {
    clearTimeout(pending.graceTimer);
    pending.graceTimer = undefined;
    if (!worker.answered) return;
    const { timeoutMs } = pending.invocation;
    pending.graceTimer = setTimeout(() => {
      this.settle(pending, failure('timeout', 'TimeoutError', `the sandbox worker did not answer within ${timeoutMs} ms; it was restarted`, elapsed(pending.startedAt)));
      this.forget(worker, id);
      this.kill(worker, 'it stopped answering');
    }, timeoutMs + SANDBOX_LIMITS.hostGraceMs).unref();
  }

  /** A tenant held back for its CPU budget: logged and reported once per tenant per window. */
  private onThrottled(message: Extract<FromWorker, { t: 'throttled' }>): void {
    const now = performance.now();
    const last = this.throttledAt.get(message.tenant);
    if (last !== undefined && now - last < message.windowMs) return;
    this.throttledAt.set(message.tenant, now);
    evictOldest(this.throttledAt, PREPARED_SCRIPTS);
    const budget = { cpuMs: message.cpuMs, windowMs: message.windowMs };
    const reason = `used ${message.usedMs} ms of sandbox CPU in the last ${budget.windowMs} ms, over its budget of ${budget.cpuMs} ms; its hooks wait while other tenants' hooks run`;
    this.options.log?.('warn', 'tenant over its sandbox CPU budget; its hooks yield to other tenants', { tenant: message.tenant, consumerId: message.hookId, usedMs: message.usedMs, cpuMs: budget.cpuMs, windowMs: budget.windowMs });
    try {
      this.options.onThrottled?.({ tenant: message.tenant, hookId: message.hookId, usedMs: message.usedMs, budget, reason });
    } catch {
      // A listener's failure never reaches the sandbox.
    }
  }

  /**
   * Every accepted script form as one CommonJS wrapper, once per version of a script (here, in the app:
   * esbuild converts ES modules). Kept by content, so tenants sharing one script share the work.
   */
  private prepare(script: HookScript): PreparedHookSource | Error {
    if (script.prepared) return script.prepared; // analysed once, when the script was read
    const key = `${script.hash}\0${script.filename}`;
    let prepared = this.prepared.get(key);
    if (prepared) {
      this.prepared.delete(key); // Re-inserted last: the Map's order is least recently used first.
    } else {
      try {
        prepared = prepareHookSource(script.source, script.filename, (script.dependencies ?? []).map((d) => d.id));
      } catch (error) {
        prepared = error as Error;
      }
      evictOldest(this.prepared, PREPARED_SCRIPTS - 1);
    }
    this.prepared.set(key, prepared);
    return prepared;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.workers, ...this.draining].filter((w): w is Worker => !!w);
    this.workers.fill(undefined);
    this.draining.clear();
    await Promise.all(all.map((w) => this.stop(w)));
  }

  private workerAt(index: number): Worker {
    const existing = this.workers[index];
    if (existing) return existing;
    // The compatibility bundles are located (built when missing) here, once, not by each worker.
    this.compatFile ??= compatRuntimeFile();
    const child = fork(
      sandboxWorkerEntry(),
      [String(this.options.workerMaxRssMb ?? SANDBOX_LIMITS.workerMaxRssMb), this.compatFile, String(this.options.cpuSlots ?? SANDBOX_LIMITS.cpuSlotsPerWorker)],
      {
      execArgv: ['--no-node-snapshot', ...workerTrustFlags()],
      // Of the app's environment only its TLS trust reaches the worker (hooks cannot read it anyway).
      env: workerEnvironment(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      },
    );
    const worker: Worker = {
      index,
      child,
      pending: new Map(),
      scripts: new Map(),
      forms: new Map(),
      cas: new Set(),
      packages: new Set(),
      stderrTail: '',
      outbox: [],
      retired: false,
      startedAt: Date.now(),
      answered: false,
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      worker.stderrTail = (worker.stderrTail + chunk).slice(-STDERR_TAIL);
      // V8 is aborting on out-of-memory; that path can hang, so the worker gets little time to exit.
      if (OUT_OF_MEMORY.test(worker.stderrTail)) setTimeout(() => this.kill(worker, 'V8 ran out of memory'), DYING_GRACE_MS).unref();
    });
    const startTimeoutMs = this.options.workerStartTimeoutMs ?? SANDBOX_LIMITS.workerStartTimeoutMs;
    worker.startTimer = setTimeout(() => {
      worker.startTimedOut = true;
      this.kill(worker, `it did not start within ${startTimeoutMs} ms`);
    }, startTimeoutMs).unref();
    child.on('message', (batch: FromWorker[]) => this.onBatch(worker, batch));
    // 'close', not 'exit': V8's last words on stderr (what tells an out-of-memory abort) are read by then.
    child.on('close', (code, signal) => this.onExit(worker, code, signal));
    child.on('error', (error) => this.options.log?.('error', 'sandbox worker error', { worker: index, error: error.message }));
    this.workers[index] = worker;
    this.updateRef(worker);
    return worker;
  }

  /** Queues a message; those queued in the same tick (16 invocations started together) go as one write. */
  private send(worker: Worker, message: ToWorker, onError?: (error: Error) => void): void {
    if (worker.outbox.push({ message, onError }) > 1) return;
    queueMicrotask(() => {
      const batch = worker.outbox;
      worker.outbox = [];
      if (!worker.child.connected) return batch.forEach((b) => b.onError?.(new Error('the worker is gone')));
      worker.child.send(
        batch.map((b) => b.message),
        (error) => error && batch.forEach((b) => b.onError?.(error)),
      );
    });
  }

  private onBatch(worker: Worker, batch: FromWorker[]): void {
    if (!worker.answered) {
      this.failedStarts = 0;
      worker.answered = true;
      clearTimeout(worker.startTimer);
      // The invocations sent while it started: their wait for an answer starts now.
      for (const [id, pending] of worker.pending) this.armGrace(worker, id, pending);
    }
    for (const message of batch) this.onMessage(worker, message);
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    if (message.t === 'ready') return;
    if (message.t === 'recycle') return this.recycle(worker, message.rssMb, message.reason);
    if (message.t === 'fatal') {
      worker.fatal = message.message;
      return;
    }
    if (message.t === 'throttled') return this.onThrottled(message);
    if (message.t === 'form') {
      if (message.form === 'hooks' || message.form === 'actions') worker.forms.set(message.hookId, { hash: message.hash, form: message.form });
      return;
    }
    const pending = worker.pending.get(message.id);
    if (!pending) return;
    if (message.t === 'queued') {
      clearTimeout(pending.graceTimer);
      pending.graceTimer = undefined;
      return;
    }
    if (message.t === 'start') return this.armGrace(worker, message.id, pending);
    if (message.t === 'storage') return this.serveStorage(worker, pending, message.id, message.sid, message.request);
    if (message.t === 'log') {
      const entry = { level: message.level, message: message.message };
      if (!pending.result) pending.logs.push(entry);
      pending.invocation.onLog?.(entry);
    } else if (message.t === 'request') {
      const { t: _t, id: _id, ...entry } = message;
      pending.invocation.onRequest?.(entry);
    } else if (message.t === 'result') {
      if (message.refused && !pending.resent) return this.resend(worker, message.id, pending);
      const { status, response, error, durationMs } = message;
      this.settle(pending, { status, response, error, logs: pending.logs, durationMs });
      if (message.ended) this.forget(worker, message.id);
    } else if (message.t === 'end') {
      this.forget(worker, message.id);
    }
  }

  /** A storage call of a hook: served from the pool's storage, answered to the worker (an outage is the hook's error). */
  private serveStorage(worker: Worker, pending: Pending, id: number, sid: number, request: string): void {
    const { tenant, hookId } = pending.invocation;
    void serveStorage(this.storage, { tenant, hook: hookId }, pending.storage, request)
      .catch((error: Error) => {
        this.options.log?.('error', 'hook storage failed', { tenant, consumerId: hookId, error: error.message });
        return { error: 'storage: the storage is unavailable; try again later', code: 'STORAGE_UNAVAILABLE' };
      })
      .then((outcome) => {
        if (worker.pending.has(id)) this.send(worker, { t: 'storage', id, sid, outcome: JSON.stringify(outcome) });
      });
  }

  private settle(pending: Pending, result: InvocationResult): void {
    if (pending.result) return;
    pending.result = result.logs.length ? result : { ...result, logs: pending.logs };
    pending.unlisten();
    pending.resolve(pending.result);
  }

  private forget(worker: Worker, id: number): void {
    const pending = worker.pending.get(id);
    if (!pending) return;
    clearTimeout(pending.graceTimer);
    pending.unlisten();
    worker.pending.delete(id);
    pending.invocation.onEnd?.();
    this.updateRef(worker);
    if (worker.retired && worker.pending.size === 0) void this.stop(worker);
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(worker.startTimer);
    if (this.workers[worker.index] === worker) this.workers[worker.index] = undefined;
    this.draining.delete(worker);
    const unfinished = [...worker.pending.values()].filter((p) => !p.result);
    const all = [...worker.pending.values()];
    for (const pending of all) clearTimeout(pending.graceTimer);
    worker.pending.clear();
    queueMicrotask(() => all.forEach((p) => p.invocation.onEnd?.()));
    if (worker.retired || this.closed) {
      for (const p of unfinished) this.settle(p, failure('error', 'SandboxClosedError', 'the sandbox was closed', elapsed(p.startedAt), true));
      return;
    }
    const outOfMemory = OUT_OF_MEMORY.test(worker.stderrTail) || signal === 'SIGABRT' || code === 134;
    const cause = outOfMemory
      ? 'V8 ran out of memory'
      : worker.fatal
        ? `catastrophic isolate error: ${worker.fatal}`
        : worker.killing
          ? `killed: ${worker.killing}`
          : signal
            ? `killed by ${signal}`
            : `exit code ${code}`;
    const others = unfinished.length > 1 ? ` with ${unfinished.length - 1} other invocation(s)` : '';
    for (const pending of unfinished) {
      // A lone invocation in an out-of-memory crash is the culprit; with company, no one can tell.
      const result =
        outOfMemory && unfinished.length === 1
          ? failure('memory_limit', 'MemoryLimitError', `the hook exhausted the sandbox worker's memory (${cause}); the worker was restarted`, elapsed(pending.startedAt))
          : failure('error', 'SandboxCrashError', `the sandbox worker crashed (${cause})${others}; it was restarted`, elapsed(pending.startedAt), true);
      this.settle(pending, result);
    }
    // A worker that dies before it ever answers cannot start (a broken install): started again a few
    // times in a row at most, then the next invocation tries again (no restart loop).
    const neverStarted = !worker.answered && (Date.now() - worker.startedAt < 2_000 || worker.startTimedOut === true);
    if (neverStarted) this.failedStarts++;
    this.options.log?.('error', neverStarted ? 'sandbox worker could not start' : 'sandbox worker crashed; restarting it', {
      worker: worker.index,
      cause,
      inFlight: unfinished.length,
      // Its last lines on stderr tell why (node refusing its flags, V8's fatal error); hooks never write there.
      ...(worker.stderrTail.trim() ? { stderr: worker.stderrTail.trim().split('\n').slice(-3).join(' | ') } : {}),
    });
    if (!neverStarted || this.failedStarts < SANDBOX_LIMITS.workerStartAttempts) this.workerAt(worker.index);
  }

  /** Kills a worker that cannot be trusted to exit; `onExit` settles its invocations and restarts it. */
  private kill(worker: Worker, why: string): void {
    const { child } = worker;
    if (child.exitCode !== null || child.signalCode !== null || worker.killing) return;
    worker.killing = why;
    // The next invocation goes to a fresh worker, not to this one on its way out.
    if (this.workers[worker.index] === worker) this.workers[worker.index] = undefined;
    child.kill('SIGKILL');
  }

  private recycle(worker: Worker, rssMb: number, reason?: string): void {
    if (worker.retired) return;
    worker.retired = true;
    if (this.workers[worker.index] === worker) this.workers[worker.index] = undefined;
    this.draining.add(worker);
    const why = reason ?? 'memory past its bound';
    this.options.log?.('info', `sandbox worker ${why}; replacing it`, { worker: worker.index, rssMb });
    if (worker.pending.size === 0) void this.stop(worker);
  }

  private stop(worker: Worker): Promise<void> {
    worker.retired = true;
    clearTimeout(worker.startTimer);
    for (const pending of worker.pending.values()) {
      clearTimeout(pending.graceTimer);
      this.settle(pending, failure('error', 'SandboxClosedError', 'the sandbox was closed', elapsed(pending.startedAt), true));
      pending.invocation.onEnd?.();
    }
    worker.pending.clear();
    const { child } = worker;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    // Referenced until it is gone, so that a CLI awaiting close() does not exit before its worker.
    child.ref();
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 2_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** A worker keeps the app's event loop alive only while it has work: an idle pool never holds up exit. */
  private updateRef(worker: Worker): void {
    const channel = worker.child.channel as { ref(): void; unref(): void } | undefined;
    if (worker.pending.size > 0) {
      worker.child.ref();
      channel?.ref();
    } else {
      worker.child.unref();
      channel?.unref();
      (worker.child.stderr as { unref?(): void } | null)?.unref?.();
    }
  }
}

/** The worker of a tenant: a stable hash (FNV-1a) of its id. */
export function affinity(tenant: string, size: number): number {
  let hash = 2166136261;
  for (let i = 0; i < tenant.length; i++) hash = Math.imul(hash ^ tenant.charCodeAt(i), 16777619);
  return (hash >>> 0) % size;
}

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function failure(
  status: InvocationResult['status'],
  name: string,
  message: string,
  durationMs: number,
  crashed = false,
): InvocationResult {
  return { status, response: null, error: { name, message }, logs: [], durationMs, ...(crashed ? { crashed } : {}) };
}

/**
 * The hook's arguments as JSON. Once the worker said which form the script has, only what that form reads:
 * Hooks get `user` and `context`, Actions get `event`, and each half holds the user.
 */
export function payloadOf(input: HookInput, form: ScriptForm | undefined): string {
  if (form === 'hooks') return JSON.stringify({ user: input.user, context: input.context, eventId: input.eventId });
  if (form === 'actions') return JSON.stringify({ actionsEvent: input.actionsEvent });
  return JSON.stringify(input);
}
