import type { CompatScripts } from './compat.scripts';
import { performFetch, FetchFailedError, FetchRefusedError, type BridgeResponse } from './fetch.bridge';
import { parseAllowHost, type AllowHostRule } from './host-policy';
import { SANDBOX_LIMITS } from '../host/sandbox.limits';
import { TrustStore } from './tls-trust';
import { hostCrypto } from './host-crypto';
import { HOOK_STORAGE_LIMITS } from '../storage/hook-storage';
import { storageTooLarge } from '../storage/storage-broker';
import { TenantIsolates, type HookContext, type ScriptSource, type TenantIsolate } from './tenant-isolates';
import { FairShare } from './fair-share';
import { FORM_CHANGED, type FromWorker, type InvokeMessage, type ScriptForm } from '../host/sandbox.protocol';
import type { InvocationStatus, LogLevel } from '../host/sandbox.types';

interface Invocation {
  id: number;
  msg: InvokeMessage;
  owner?: TenantIsolate;
  hook?: HookContext;
  rules: AllowHostRule[];
  startedAt: number;
  deadline: number;
  deadlineTimer: NodeJS.Timeout;
  timers: Map<number, NodeJS.Timeout>;
  fetches: Map<number, AbortController>;
  fetchCount: number;
  /** context.webtask.storage calls waiting for the app's answer, and how many were made. */
  storageCalls: Set<number>;
  storageCount: number;
  completed: boolean;
  ended: boolean;
  logLines: number;
  logBytes: number;
  logDropped: boolean;
  secrets: string[];
  /** A result the hook produced during the current entry, sent once the entry is over (after its logs). */
  outbox?: Extract<FromWorker, { t: 'result' }>;
  /** The hook itself completed (cb, resolve or throw), rather than a timeout or a failed entry. */
  completedByHook: boolean;
  /** It set a timer or started a fetch: the isolate may hold state for it until told to end it. */
  usedAsync: boolean;
  /** Entries for timers and fetch results not yet run in the isolate: work still pending. */
  entriesInFlight: number;
  /** Its start (load, then the synchronous run of the hook) is over: its tenant's next invocation may start. */
  released: boolean;
  /** Refused before the hook ran: its arguments were for another form than its script has (see FORM_CHANGED). */
  refused?: boolean;
}

type ErrorInfo = { name: string; message: string };

const FORM_NAMES: Record<ScriptForm, string> = {
  hooks: 'an Auth0 Hooks function (user, context, cb)',
  actions: "Auth0 Actions' onExecutePostUserRegistration (event, api)",
};
const LEVELS = new Set<LogLevel>(['log', 'info', 'warn', 'error']);
/** After a timeout, an isolate that burns more than RUNAWAY_CPU_MS of CPU within RUNAWAY_WINDOW_MS is stuck. */
const RUNAWAY_WINDOW_MS = 500;
const RUNAWAY_CPU_MS = 50;
/** How long after a deadline the worker watches the isolate's CPU before it reports the timeout. */
const RUNAWAY_PROBE_MS = 50;

/**
 * Runs hook invocations in isolated-vm isolates, inside a sandbox worker process: one isolate per tenant
 * (with its memory limit), one context per hook, a timeout on every entry into the isolate and a
 * deadline per invocation. Talks to the app only through `emit`.
 */
export class IsolateRuntime {
  private readonly scripts = new Map<string, ScriptSource>();
  private readonly trust = new TrustStore();
  private readonly isolates: TenantIsolates;
  private readonly invocations = new Map<number, Invocation>();
  private readonly probes = new Map<HookContext, Array<{ id: number; resolve(): void }>>();
  /** Invocations of a context whose start ends with the next 'idle' entry (see afterStart). */
  private readonly starts = new Map<HookContext, Array<{ inv: Invocation; resolve(forgotten: boolean): void }>>();
  private recycleRequested = false;
  private memoryCheckedAt = Number.NEGATIVE_INFINITY;
  /** Who starts next: round-robin across tenants, CPU budgets, waiting before the timeout starts. */
  private readonly fairShare: FairShare;

  constructor(
    private readonly emit: (message: FromWorker) => void,
    private readonly options: { maxRssMb: number; compat: CompatScripts; cpuSlots?: number; onCatastrophicError(message: string): void },
  ) {
    this.isolates = new TenantIsolates((message) => this.options.onCatastrophicError(message), options.compat);
    this.fairShare = new FairShare(options.cpuSlots ?? SANDBOX_LIMITS.cpuSlotsPerWorker, (t) =>
      this.emit({ t: 'throttled', tenant: t.tenant, hookId: t.hookId, usedMs: t.usedMs, cpuMs: t.budget.cpuMs, windowMs: t.budget.windowMs }),
    );
  }

  /**
   * Takes an invocation: it starts when its tenant's turn comes (at once unless the worker is busy). A
   * waiting invocation is announced (`queued`, then `start`): its timeout runs from its start.
   */
  invoke(msg: InvokeMessage): void {
    if (msg.script !== undefined) this.scripts.set(msg.hookId, { hash: msg.hash, ...msg.script, filename: msg.filename });
    if (msg.trust && msg.ca) this.trust.add(msg.trust, msg.ca);
    for (const dependency of msg.dependencies ?? []) this.options.compat.addModule(dependency.id, dependency.source);
    // Its version of the script, as it is now: a newer version may arrive while it waits.
    const script = this.scripts.get(msg.hookId);
    let queued = false;
    const started = this.fairShare.submit({
      id: msg.id,
      tenant: msg.tenant,
      hookId: msg.hookId,
      budget: msg.cpuBudget ?? SANDBOX_LIMITS.defaultCpuBudget,
      start: () => {
        if (queued) this.emit({ t: 'start', id: msg.id });
        void this.run(msg, script);
      },
    });
    if (!started) {
      queued = true;
      this.emit({ t: 'queued', id: msg.id });
    }
  }

  private async run(msg: InvokeMessage, script: ScriptSource | undefined): Promise<void> {
    const startedAt = performance.now();
    const inv: Invocation = {
      id: msg.id,
      msg,
      rules: msg.allowHosts.map(parseAllowHost).filter((r): r is AllowHostRule => typeof r !== 'string'),
      startedAt,
      deadline: startedAt + msg.timeoutMs,
      deadlineTimer: setTimeout(() => this.onDeadline(inv), msg.timeoutMs),
      timers: new Map(),
      fetches: new Map(),
      fetchCount: 0,
      storageCalls: new Set(),
      storageCount: 0,
      completed: false,
      ended: false,
      logLines: 0,
      logBytes: 0,
      logDropped: false,
      // Longest first: a secret that holds another is redacted whole.
      secrets: Object.values(msg.secrets).filter((s) => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length),
      completedByHook: false,
      usedAsync: false,
      entriesInFlight: 0,
      released: false,
    };
    this.invocations.set(msg.id, inv);
    try {
      if (!script || script.hash !== msg.hash) throw new Error('the sandbox worker lost the script; try again');
      const owner = this.isolates.acquire(msg.tenant, msg.memoryMb);
      inv.owner = owner;
      owner.active++;
      const hook = await this.isolates.context(owner, script, {
        tenant: msg.tenant,
        hookId: msg.hookId,
        invocationId: msg.id,
        remainingMs: () => this.remaining(inv),
        onBridge: (h, kind, id, a, b) => this.onBridge(h, kind, id, a, b),
      });
      if (inv.ended) return;
      inv.hook = hook;
      // The app sent only what the form it was told reads. A script whose exports changed form when it was
      // loaded again (they depend on chance or time) is not run without its arguments: the app is told its
      // form again and sends the invocation again, with all of them.
      const told = msg.parts;
      if (!hook.formReported || (told !== undefined && told !== hook.form)) {
        hook.formReported = true;
        this.emit({ t: 'form', hookId: msg.hookId, hash: msg.hash, form: hook.form });
      }
      if (told !== undefined && told !== hook.form) {
        const message = `the script exported ${FORM_NAMES[hook.form]} when loaded again, ${FORM_NAMES[told]} before; sent again with all of its arguments`;
        inv.refused = true;
        throw Object.assign(new Error(message), { name: FORM_CHANGED });
      }
      const payload = `{"input":${msg.payload},"secrets":${JSON.stringify(msg.secrets)}}`;
      // Resolves when the hook completes (cb, resolve or throw), however late: timers and fetches settle
      // through other entries meanwhile.
      const completion = this.enter(inv, ['invoke', msg.id, payload], true);
      const forgotten = this.afterStart(inv, hook);
      const outcome = await completion;
      if (Array.isArray(outcome) && outcome[0] !== 'ended') this.onResult(inv, outcome[0], outcome[1]);
      // The result goes out now; the invocation ends only after one more entry. Microtasks the hook
      // queued before it completed (axios and @slack/webhook start their request a few promise hops
      // after the call, Auth0's Slack sample calls cb() right after) ran in the isolate before that entry,
      // and the requests they started reached this worker first: they carry on until the timeout. For a
      // hook that completed within its start, the entry that ends its start is that entry.
      this.flush(inv, false);
      if (!inv.ended && !(await forgotten)) await this.probe(inv);
      this.flush(inv);
      this.maybeEnd(inv);
    } catch (error) {
      this.onEntryError(inv, error);
      this.release(inv);
    }
  }

  cancel(id: number, reason: string): void {
    if (this.fairShare.cancel(id)) {
      this.emit({ t: 'result', id, status: 'error', response: null, error: { name: 'AbortError', message: reason }, durationMs: 0, ended: true });
      return;
    }
    const inv = this.invocations.get(id);
    if (!inv) return;
    this.finish(inv, 'error', undefined, { name: 'AbortError', message: reason });
    this.end(inv);
  }

  /** The app answered a storage call: the hook's callback runs in its context. */
  answerStorage(id: number, sid: number, outcome: string): void {
    const inv = this.invocations.get(id);
    if (!inv || inv.ended || !inv.storageCalls.delete(sid)) return;
    this.enterLater(inv, ['storage', inv.id, sid, outcome]);
  }

  /** Disposes isolates idle for longer than `idleMs`. */
  evictIdle(now = performance.now(), idleMs: number = SANDBOX_LIMITS.isolateIdleMs): void {
    this.isolates.evictIdle(now, idleMs);
    this.fairShare.sweep();
  }

  /**
   * The isolate runs its tasks in order: an 'idle' entry queued right after the hook's call returns once
   * the hook's synchronous run (and the microtasks it queued) is over. Then the tenant's next invocation
   * may start, and the CPU it used is charged to its budget. Invocations of one context started in the
   * same turn of the event loop share that entry (16 in flight: one entry, not 16). It also forgets, in
   * the isolate, those that completed by then with nothing pending: resolves whether it forgot this one
   * (then no further entry is needed before it ends).
   */
  private afterStart(inv: Invocation, hook: HookContext): Promise<boolean> {
    if (inv.ended || hook.owner.isolate.isDisposed) {
      this.release(inv);
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      let batch = this.starts.get(hook);
      if (!batch) {
        this.starts.set(hook, (batch = []));
        // Queued after the other invocations starting now queued their call (each one microtask later).
        queueMicrotask(() => this.runStarts(hook));
      }
      batch.push({ inv, resolve });
    });
  }

  private runStarts(hook: HookContext): void {
    const batch = this.starts.get(hook) ?? [];
    this.starts.delete(hook);
    const done = (forgotten: unknown) => {
      const ids = forgottenIds(forgotten);
      for (const { inv, resolve } of batch) {
        this.release(inv);
        resolve(ids.includes(inv.id));
      }
    };
    if (hook.owner.isolate.isDisposed) return done(undefined);
    const timeout = Math.max(...batch.map((b) => this.remaining(b.inv)));
    const ids = JSON.stringify(batch.map((b) => b.inv.id));
    hook.enter.apply(undefined, ['idle', 0, ids], { timeout }).then(done, () => done(undefined));
  }

  /** Its start is over (or it ended before): charges its tenant's CPU so far and lets the next one start. */
  private release(inv: Invocation): void {
    if (inv.released) return;
    inv.released = true;
    if (inv.owner) this.chargeCpu(inv.owner);
    this.fairShare.release(inv.msg.tenant, performance.now() - inv.startedAt);
  }

  /** Charges the CPU the isolate used since it was last read (isolated-vm's cpuTime) to its tenant. */
  private chargeCpu(owner: TenantIsolate): void {
    let cpuTime: bigint;
    try {
      cpuTime = owner.isolate.cpuTime;
    } catch {
      return; // Disposed: what it used last is lost.
    }
    const usedMs = Number(cpuTime - owner.cpuCharged) / 1e6;
    owner.cpuCharged = cpuTime;
    this.fairShare.charge(owner.tenant, usedMs);
  }

  /** Disposes the spare isolate kept for the next new tenant (tests, benchmarks: a worker just exits). */
  disposeSpare(): void {
    this.isolates.disposeSpare();
  }

  get isolateCount(): number {
    return this.isolates.size;
  }

  private remaining(inv: Invocation): number {
    return Math.max(1, Math.ceil(inv.deadline - performance.now()));
  }

  /**
   * One entry into the hook's context. Its arguments are strings and numbers (JSON text for anything
   * else), which cross into the isolate as they are: no copy of an arguments array to serialise.
   */
  private enter(inv: Invocation, args: [string, number, (string | number)?, (string | number)?], awaitResult = false): Promise<unknown> {
    if (inv.ended || !inv.hook || inv.hook.owner.isolate.isDisposed) return Promise.resolve();
    const options = { timeout: this.remaining(inv) } as const;
    if (awaitResult) return inv.hook.enter.apply(undefined, args, { ...options, result: { promise: true, copy: true } });
    return inv.hook.enter.apply(undefined, args, options);
  }

  /** Enters the isolate for a timer or a fetch result; the invocation may end afterwards. */
  private enterLater(inv: Invocation, args: [string, number, (string | number)?, (string | number)?]): void {
    inv.entriesInFlight++;
    this.enter(inv, args).then(
      () => {
        inv.entriesInFlight--;
        this.flush(inv);
        this.maybeEnd(inv);
      },
      (error) => {
        inv.entriesInFlight--;
        this.onEntryError(inv, error);
      },
    );
  }

  /**
   * Resolves after one more entry into the hook's context. Invocations of one context that completed in
   * the same turn of the event loop share that entry (16 in flight: one entry, not 16).
   */
  private probe(inv: Invocation): Promise<void> {
    const hook = inv.hook!;
    return new Promise<void>((resolve) => {
      let batch = this.probes.get(hook);
      if (!batch) {
        this.probes.set(hook, (batch = []));
        setImmediate(() => this.runProbe(hook));
      }
      batch.push({ id: inv.id, resolve });
    });
  }

  private runProbe(hook: HookContext): void {
    const batch = this.probes.get(hook) ?? [];
    this.probes.delete(hook);
    const done = () => batch.forEach((b) => b.resolve());
    const ids = batch.filter((b) => this.invocations.get(b.id)?.ended === false).map((b) => b.id);
    if (ids.length === 0 || hook.owner.isolate.isDisposed) return done();
    hook.enter.apply(undefined, ['idle', 0, JSON.stringify(ids)], { timeout: 1_000 }).then(done, done);
  }

  private idle(inv: Invocation): boolean {
    return inv.timers.size === 0 && inv.fetches.size === 0 && inv.storageCalls.size === 0 && inv.entriesInFlight === 0;
  }

  /** Called by the isolate through the bridge reference. Everything here is untrusted input. */
  private onBridge(hook: HookContext, kind: unknown, id: unknown, a: unknown, b: unknown): string | void {
    const inv = typeof id === 'number' ? this.invocations.get(id) : undefined;
    if (!inv || inv.ended || inv.msg.hookId !== hook.hookId || inv.owner !== hook.owner) return;
    if (kind === 'host') {
      if (a !== 'crypto' || typeof b !== 'string') return JSON.stringify({ error: `no host module ${String(a).slice(0, 40)}`, type: 'Error' });
      const newline = b.indexOf('\n');
      return hostCrypto(b.slice(0, newline), b.slice(newline + 1));
    }
    if (kind === 'log' && LEVELS.has(a as LogLevel)) return this.log(inv, a as LogLevel, String(b));
    if (kind === 'timer' && typeof a === 'number' && typeof b === 'number') return this.schedule(inv, a, b);
    if (kind === 'clear' && typeof a === 'number') {
      clearTimeout(inv.timers.get(a));
      inv.timers.delete(a);
      return this.maybeEnd(inv);
    }
    if (kind === 'fetch' && typeof a === 'number' && typeof b === 'string') return this.startFetch(inv, a, b);
    if (kind === 'storage' && typeof a === 'number' && typeof b === 'string') return this.startStorage(inv, a, b);
  }

  /** Passes a storage call on to the app (which keeps the data), within the per-invocation and size limits. */
  private startStorage(inv: Invocation, sid: number, request: string): void {
    inv.usedAsync = true;
    const answer = (outcome: object) => this.enterLater(inv, ['storage', inv.id, sid, JSON.stringify(outcome)]);
    if (++inv.storageCount > HOOK_STORAGE_LIMITS.maxCallsPerInvocation) {
      return answer({ error: `storage: more than ${HOOK_STORAGE_LIMITS.maxCallsPerInvocation} calls in one invocation`, code: 429 });
    }
    // Too large is refused here, before anything crosses to the app (the app checks the data again). The
    // data travels as JSON text inside the request's JSON: escaping at most doubles it.
    const requestBytes = Buffer.byteLength(request);
    if (requestBytes > 2 * HOOK_STORAGE_LIMITS.maxBytes + 1024) return answer(storageTooLarge(requestBytes));
    if (requestBytes > HOOK_STORAGE_LIMITS.maxBytes) {
      const bytes = Buffer.byteLength(storageData(request));
      if (bytes > HOOK_STORAGE_LIMITS.maxBytes) return answer(storageTooLarge(bytes));
    }
    inv.storageCalls.add(sid);
    this.emit({ t: 'storage', id: inv.id, sid, request });
  }

  private onResult(inv: Invocation, status: unknown, payload: unknown): void {
    if (inv.completed) return;
    inv.completedByHook = true;
    if (status === 'ok') {
      let response: unknown = null;
      if (typeof payload === 'string') response = JSON.parse(payload);
      this.finish(inv, 'ok', response, null, true);
    } else {
      let error: ErrorInfo = { name: 'Error', message: 'the hook failed' };
      try {
        const parsed = JSON.parse(String(payload));
        error = { name: String(parsed.name), message: this.redact(inv, String(parsed.message)) };
      } catch {
        // Keep the generic error.
      }
      if (isAllocationFailure(error)) this.finish(inv, 'memory_limit', undefined, memoryError(inv), true);
      else this.finish(inv, 'error', undefined, error, true);
    }
  }

  private flush(inv: Invocation, mayEnd = true): void {
    const message = inv.outbox;
    if (!message) return;
    inv.outbox = undefined;
    // Nothing left running (and known to be): the result also ends the invocation (one message, not two).
    if (mayEnd && !inv.ended && this.idle(inv)) {
      this.end(inv, false);
      message.ended = true;
    }
    this.emit(message);
  }

  private schedule(inv: Invocation, tid: number, ms: number): void {
    inv.usedAsync = true;
    if (inv.timers.size >= SANDBOX_LIMITS.maxTimersPerInvocation) {
      return this.log(inv, 'warn', `[hookline] more than ${SANDBOX_LIMITS.maxTimersPerInvocation} pending timers; setTimeout ignored`);
    }
    const delay = Math.max(0, Math.min(Number.isFinite(ms) ? ms : 0, 2 ** 31 - 1));
    if (performance.now() + delay >= inv.deadline) return; // It would fire after the invocation's time.
    inv.timers.set(
      tid,
      setTimeout(() => {
        inv.timers.delete(tid);
        this.enterLater(inv, ['timer', inv.id, tid]);
      }, delay),
    );
  }

  private startFetch(inv: Invocation, fid: number, requestJson: string): void {
    inv.usedAsync = true;
    const started = performance.now();
    let shown = { method: 'GET', url: '' };
    const settle = (outcome: { response?: BridgeResponse; error?: string; code?: string; refused?: boolean }) => {
      inv.fetches.delete(fid);
      this.reportRequest(inv, shown, started, outcome);
      if (!inv.ended) this.enterLater(inv, ['fetch', inv.id, fid, JSON.stringify(outcome)]);
    };
    if (++inv.fetchCount > SANDBOX_LIMITS.maxFetchesPerInvocation) {
      const message = `fetch: more than ${SANDBOX_LIMITS.maxFetchesPerInvocation} requests in one invocation`;
      this.log(inv, 'warn', `[hookline] ${message}`);
      return settle({ error: message, code: 'TOO_MANY_REQUESTS', refused: true });
    }
    const controller = new AbortController();
    inv.fetches.set(fid, controller);
    let request;
    try {
      request = JSON.parse(requestJson);
      shown = { method: String(request?.method || 'GET').toUpperCase().slice(0, 16), url: String(request?.url ?? '').slice(0, 2000) };
    } catch {
      return settle({ error: 'fetch: invalid request', code: 'REQUEST_NOT_ALLOWED', refused: true });
    }
    let secureContext;
    try {
      secureContext = this.trust.context(inv.msg.trust);
    } catch (error) {
      return settle({ error: `fetch: the sandbox's extra CA certificates cannot be used: ${(error as Error).message}`, code: 'CA_INVALID', refused: false });
    }
    performFetch(request, inv.rules, controller.signal, undefined, { secureContext }).then(
      (response) => settle({ response }),
      (error: Error) => {
        if (inv.ended) return;
        const refused = error instanceof FetchRefusedError;
        if (refused) this.log(inv, 'warn', `[hookline] ${error.message}`);
        // The code travels with the message: libraries in the hook (axios, request, node-fetch) report it.
        const code = refused || error instanceof FetchFailedError ? error.code : undefined;
        settle({ error: this.redact(inv, error.message), code, refused });
      },
    );
  }

  /** Tells the host about one request (the Runner lists them): secrets redacted from its URL and error. */
  private reportRequest(
    inv: Invocation,
    shown: { method: string; url: string },
    started: number,
    outcome: { response?: BridgeResponse; error?: string; refused?: boolean },
  ): void {
    if (inv.ended) return;
    this.emit({
      t: 'request',
      id: inv.id,
      method: shown.method,
      url: this.redact(inv, shown.url),
      status: outcome.response?.status ?? null,
      durationMs: Math.round(performance.now() - started),
      refused: outcome.refused === true,
      error: outcome.response ? null : this.redact(inv, outcome.error ?? 'fetch failed'),
    });
  }

  private log(inv: Invocation, level: LogLevel, message: string): void {
    if (inv.logDropped) return;
    const text = this.redact(inv, message.slice(0, SANDBOX_LIMITS.maxLogLineBytes));
    const bytes = Buffer.byteLength(text);
    if (inv.logLines >= SANDBOX_LIMITS.maxLogLines || inv.logBytes + bytes > SANDBOX_LIMITS.maxLogBytes) {
      inv.logDropped = true;
      const note = `[hookline] log limit reached (${SANDBOX_LIMITS.maxLogLines} lines or ${SANDBOX_LIMITS.maxLogBytes} bytes per invocation); further lines are dropped`;
      this.emit({ t: 'log', id: inv.id, level: 'warn', message: note });
      return;
    }
    inv.logLines++;
    inv.logBytes += bytes;
    this.emit({ t: 'log', id: inv.id, level, message: text });
  }

  private redact(inv: Invocation, text: string): string {
    let out = text;
    for (const secret of inv.secrets) out = out.split(secret).join('[REDACTED]');
    return out;
  }

  private finish(inv: Invocation, status: InvocationStatus, response: unknown, error: ErrorInfo | null, defer = false): void {
    if (inv.completed) return;
    inv.completed = true;
    if (status === 'ok' && inv.owner) inv.owner.timeoutStrikes = 0;
    const durationMs = Math.round((performance.now() - inv.startedAt) * 1000) / 1000;
    const message: FromWorker = { t: 'result', id: inv.id, status, response: status === 'ok' ? (response ?? null) : null, error, durationMs };
    if (inv.refused) message.refused = true;
    if (defer) inv.outbox = message;
    else this.emit(message);
  }

  private onDeadline(inv: Invocation): void {
    this.flush(inv);
    if (!inv.completed) {
      const hint = inv.hook ? '' : ' (while loading the script)';
      // Held back (deferred) until it is known whether the isolate is stuck: see reportTimeout.
      this.finish(
        inv,
        'timeout',
        undefined,
        { name: 'TimeoutError', message: `the hook did not complete within ${inv.msg.timeoutMs} ms${hint}; a callback-style hook must call cb()` },
        true,
      );
      this.strike(inv);
      return this.reportTimeout(inv);
    } else {
      const pending = inv.timers.size + inv.fetches.size;
      if (pending > 0) this.log(inv, 'warn', `[hookline] ${pending} timer(s) or request(s) still pending at the timeout were cancelled`);
    }
    this.end(inv);
  }

  /**
   * Reports a timeout once the worker knows whether the isolate is stuck. An isolate still running
   * RUNAWAY_PROBE_MS after its deadline is inside something V8 cannot interrupt (a huge allocation on
   * Node 24+) and may abort the whole worker: the worker asks to be replaced *before* the result goes out,
   * so the app sends no further hook to it (one that would then be blamed for the abort). An isolate that
   * was merely waiting (a hook that never called cb()) or was interrupted in time keeps its worker.
   */
  private reportTimeout(inv: Invocation): void {
    const owner = inv.owner;
    let before: bigint | undefined;
    try {
      // Wall time, not CPU time: on a machine short of CPU, a stuck isolate's thread may get too little of
      // it in the window to tell, but it is running the whole time.
      if (owner && !owner.isolate.isDisposed) before = owner.isolate.wallTime;
    } catch {
      before = undefined;
    }
    if (!owner || before === undefined) return this.end(inv);
    setTimeout(() => {
      let ranMs: number;
      try {
        ranMs = Number(owner.isolate.wallTime - before) / 1e6;
      } catch {
        ranMs = Number.POSITIVE_INFINITY; // disposed while running
      }
      if (ranMs > RUNAWAY_PROBE_MS * 0.6) this.requestRecycle('isolate kept running past its timeout');
      else this.watchRunaway(owner);
      this.end(inv); // sends the held-back result (end flushes it), unless an entry ending in between did
    }, RUNAWAY_PROBE_MS).unref();
  }

  /**
   * On Node 24+, V8 cannot interrupt some huge allocations: the isolate keeps running (and growing, far
   * past its memory limit) after its timeout. Still burning CPU shortly after the deadline means stuck:
   * the worker is replaced once its other invocations end, so the runaway never aborts it mid-way
   * through someone else's hook.
   */
  private watchRunaway(owner: TenantIsolate): void {
    let before: bigint;
    try {
      before = owner.isolate.cpuTime;
    } catch {
      return this.requestRecycle('isolate disposed while running');
    }
    setTimeout(() => {
      let burnedMs: number;
      try {
        burnedMs = Number(owner.isolate.cpuTime - before) / 1e6;
      } catch {
        return this.requestRecycle('isolate disposed while running');
      }
      if (burnedMs > RUNAWAY_CPU_MS) this.requestRecycle('isolate kept running past its timeout');
    }, RUNAWAY_WINDOW_MS).unref();
  }

  private requestRecycle(reason: string): void {
    if (this.recycleRequested) return;
    this.recycleRequested = true;
    this.emit({ t: 'recycle', rssMb: Math.round(process.memoryUsage.rss() / 1048576), reason });
  }

  private strike(inv: Invocation): void {
    const owner = inv.owner;
    if (owner && ++owner.timeoutStrikes >= SANDBOX_LIMITS.isolateTimeoutStrikes) this.isolates.retire(owner);
  }

  private onEntryError(inv: Invocation, error: unknown): void {
    this.flush(inv);
    const owner = inv.owner;
    const message = error instanceof Error ? error.message : String(error);
    if (owner && (owner.isolate.isDisposed || /memory limit/i.test(message))) return this.onMemoryLimit(owner);
    if (inv.ended) return;
    if (/execution timed out/i.test(message)) {
      if (!inv.completed) {
        this.finish(inv, 'timeout', undefined, {
          name: 'TimeoutError',
          message: `the hook ran past its timeout of ${inv.msg.timeoutMs} ms`,
        });
      } else {
        this.log(inv, 'error', '[hookline] work left running after the hook completed ran past the timeout');
      }
      this.strike(inv);
      return this.end(inv);
    }
    const name = error instanceof Error ? error.name : 'Error';
    if (inv.completed) {
      // Work left running after cb() failed: logged (fetch failures are, as they happen); the rest of
      // that work carries on until the timeout.
      if (!message.startsWith('fetch: ')) this.log(inv, 'error', `[hookline] uncaught after the hook completed: ${name}: ${message}`);
      return this.maybeEnd(inv);
    }
    if (isAllocationFailure({ name, message })) this.finish(inv, 'memory_limit', undefined, memoryError(inv));
    else this.finish(inv, 'error', undefined, { name, message: this.redact(inv, message) });
    this.end(inv);
  }

  /** The isolate hit its heap limit and was disposed: every invocation in it ends, the next call gets a fresh one. */
  private onMemoryLimit(owner: TenantIsolate): void {
    for (const inv of [...this.invocations.values()]) {
      if (inv.owner !== owner) continue;
      this.finish(inv, 'memory_limit', undefined, memoryError(inv));
      this.end(inv);
    }
    this.isolates.dispose(owner);
    // A disposed isolate's thread may still be inside an allocation V8 cannot interrupt (Node 24+).
    this.requestRecycle('isolate hit its memory limit while running');
  }

  private maybeEnd(inv: Invocation): void {
    if (inv.completed && !inv.ended && this.idle(inv)) this.end(inv);
  }

  private end(inv: Invocation, announce = true): void {
    if (inv.ended) return;
    // Its held-back result goes out first, as a result that does not end it: this `end` does, once (a
    // flush that ended it too would end it twice, and count its isolate's use down twice).
    if (announce) this.flush(inv, false);
    if (!inv.completed) this.finish(inv, 'error', undefined, { name: 'Error', message: 'the invocation ended without a result' });
    inv.ended = true;
    clearTimeout(inv.deadlineTimer);
    for (const timer of inv.timers.values()) clearTimeout(timer);
    for (const controller of inv.fetches.values()) controller.abort();
    inv.timers.clear();
    inv.fetches.clear();
    inv.storageCalls.clear();
    const hook = inv.hook;
    const isolateHoldsState = inv.usedAsync || !inv.completedByHook;
    if (hook && isolateHoldsState && !hook.owner.isolate.isDisposed) {
      hook.enter.apply(undefined, ['end', inv.id], { timeout: 1_000 }).catch(() => undefined);
    }
    this.invocations.delete(inv.id);
    if (announce) this.emit({ t: 'end', id: inv.id });
    this.release(inv);
    const owner = inv.owner;
    if (owner) {
      this.chargeCpu(owner);
      owner.active--;
      owner.lastUsed = performance.now();
      if (owner.retired && owner.active === 0) this.isolates.dispose(owner);
    }
    // A new tenant took the spare isolate (or none was made yet): prepare the next one, off this call's path.
    this.isolates.replenish();
    this.checkMemory();
  }

  private checkMemory(): void {
    // Reading RSS is a system call: once a second is enough to notice growth.
    const now = performance.now();
    if (this.recycleRequested || now - this.memoryCheckedAt < 1_000) return;
    this.memoryCheckedAt = now;
    const rssMb = process.memoryUsage.rss() / 1048576;
    if (rssMb > this.options.maxRssMb) {
      this.recycleRequested = true;
      this.emit({ t: 'recycle', rssMb: Math.round(rssMb) });
    }
  }
}

/** The data of a storage.set request (JSON text inside the request's JSON), or '' if it has none. */
function storageData(request: string): string {
  try {
    const data = (JSON.parse(request) as { data?: unknown }).data;
    return typeof data === 'string' ? data : '';
  } catch {
    return '';
  }
}

/** ArrayBuffer memory past the isolate's limit is refused with a RangeError rather than a disposal. */
function isAllocationFailure(error: ErrorInfo): boolean {
  return error.name === 'RangeError' && /Array buffer allocation failed/.test(error.message);
}

function memoryError(inv: Invocation): ErrorInfo {
  return { name: 'MemoryLimitError', message: `the hook exceeded its memory limit of ${inv.msg.memoryMb} MB` };
}

/**
 * The ids an 'idle' entry says it forgot. Its answer is untrusted: the isolate's JSON.stringify is the
 * real one, but a hook can give arrays and objects a `toJSON` of its own. Anything but an array of
 * numbers counts as none forgotten (each invocation then gets its own last entry); never a throw, which
 * here would be an unhandled rejection that ends the worker and every tenant's hook in it.
 */
function forgottenIds(answer: unknown): unknown[] {
  if (typeof answer !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(answer);
    return Array.isArray(parsed) ? parsed.filter((id) => typeof id === 'number') : [];
  } catch {
    return [];
  }
}
