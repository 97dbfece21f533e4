import ivm from 'isolated-vm';
import { buildWebtaskContext } from '../compat/webtask-context';
import type { CompatScripts, IsolateCompat } from './compat.scripts';
import { SANDBOX_LIMITS } from '../host/sandbox.limits';
import type { ScriptForm } from '../host/sandbox.protocol';

/** One tenant's isolate in a worker: never shared with another tenant. */
export interface TenantIsolate {
  key: string;
  tenant: string;
  /** The isolate's cpuTime (ns) already charged to the tenant's CPU budget. */
  cpuCharged: bigint;
  isolate: ivm.Isolate;
  /** The compatibility layer's scripts, compiled once for this isolate. */
  compat: IsolateCompat;
  memoryMb: number;
  hooks: Map<string, Promise<HookContext>>;
  /** Contexts ready to use, so the warm path does not wait on a promise. */
  ready: Map<string, HookContext>;
  active: number;
  lastUsed: number;
  timeoutStrikes: number;
  /** No new work; disposed once its invocations are over. */
  retired: boolean;
  /** Taken from the spare: a context with the bootstrap and globals run, for this tenant's first hook. */
  spareContext?: Promise<SpareContext>;
}

/**
 * A context prepared before any tenant owned its isolate: the bootstrap, web globals and require()
 * run, no tenant's code. Its bridge answers nothing until `bind` names the hook it belongs to.
 */
interface SpareContext {
  context: ivm.Context;
  enter: HookContext['enter'];
  bind(hook: HookContext, onBridge: LoadRequest['onBridge']): void;
}

/** An isolate created ahead of need, for the next new tenant of this worker (with the default memory limit). */
interface Spare {
  isolate: ivm.Isolate;
  compat: IsolateCompat;
  memoryMb: number;
  context: Promise<SpareContext>;
}

/** One hook's long-lived context, its compiled script loaded: module-level state persists across calls. */
export interface HookContext {
  hookId: string;
  hash: string;
  context: ivm.Context;
  enter: ivm.Reference<(kind: string, id: number, a?: unknown, b?: unknown) => unknown>;
  owner: TenantIsolate;
  /** What its script exports (its bootstrap's answer to `load`). */
  form: ScriptForm;
  /** The app was told its form (once per context: a script loaded again says it again). */
  formReported?: boolean;
}

/** A hook's script as the pool prepared it (see `prepareHookSource`). */
export interface ScriptSource {
  hash: string;
  /** A function expression `(function (exports, require, module, __filename, __dirname) {...})`. */
  code: string;
  /** The compatibility modules it requires. */
  modules: string[];
  filename: string;
}

/** What loading a hook's script needs from the invocation that triggers it. */
export interface LoadRequest {
  tenant: string;
  hookId: string;
  invocationId: number;
  /** Time left for the invocation, in ms: module-level code runs under it. */
  remainingMs(): number;
  /** The bridge: every call the context makes into the worker. */
  onBridge(hook: HookContext, kind: unknown, id: unknown, a: unknown, b: unknown): string | void;
}

/**
 * The isolates of one worker, by tenant (and memory limit), least recently used first, with one
 * context per hook. Bounded: past `maxIsolatesPerWorker` the least recently used idle isolate goes.
 */
export class TenantIsolates {
  private readonly isolates = new Map<string, TenantIsolate>();
  /**
   * One spare isolate, ready for the next new tenant: creating an isolate and a context and running
   * the bootstrap and the globals is most of a tenant's first call. It has run none of any tenant's
   * code, and it is handed out once: the tenant that takes it owns it, as it would a new one.
   */
  private spare?: Spare;
  private spareScheduled = false;

  constructor(
    private readonly onCatastrophicError: (message: string) => void,
    private readonly compat: CompatScripts,
    private readonly options: { spare: boolean } = { spare: true },
  ) {
    this.replenish();
  }

  get size(): number {
    return this.isolates.size;
  }

  acquire(tenant: string, memoryMb: number): TenantIsolate {
    const key = `${tenant}\0${memoryMb}`;
    const existing = this.isolates.get(key);
    if (existing && !existing.retired && !existing.isolate.isDisposed) {
      this.isolates.delete(key); // Re-inserted last: the Map's order is least recently used first.
      this.isolates.set(key, existing);
      existing.lastUsed = performance.now();
      return existing;
    }
    if (existing) this.isolates.delete(key);
    if (this.isolates.size >= SANDBOX_LIMITS.maxIsolatesPerWorker) {
      const idle = [...this.isolates.values()].find((o) => o.active === 0);
      if (idle) this.dispose(idle);
    }
    const spare = this.takeSpare(memoryMb);
    const isolate = spare?.isolate ?? new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError: this.onCatastrophicError });
    const owner: TenantIsolate = {
      key,
      tenant,
      cpuCharged: 0n,
      memoryMb,
      isolate,
      compat: spare?.compat ?? this.compat.forIsolate(isolate),
      spareContext: spare?.context,
      hooks: new Map(),
      ready: new Map(),
      active: 0,
      lastUsed: performance.now(),
      timeoutStrikes: 0,
      retired: false,
    };
    this.isolates.set(key, owner);
    return owner;
  }

  /**
   * Prepares a spare isolate if there is none, after the current turn of the event loop (creating an
   * isolate takes a millisecond or two of this thread; the rest runs on the isolate's own).
   */
  replenish(): void {
    if (!this.options.spare || this.spare || this.spareScheduled) return;
    this.spareScheduled = true;
    setImmediate(() => {
      this.spareScheduled = false;
      if (this.spare) return;
      const memoryMb = SANDBOX_LIMITS.defaultMemoryMb;
      const isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError: this.onCatastrophicError });
      const compat = this.compat.forIsolate(isolate);
      const spare: Spare = { isolate, compat, memoryMb, context: this.prepareContext(isolate, compat) };
      // Never unhandled: a failure shows when a tenant takes it (and then its own context is created).
      spare.context.catch(() => undefined);
      this.spare = spare;
    });
  }

  /** Disposes the spare isolate (the worker's runtime going away, or tests). */
  disposeSpare(): void {
    const spare = this.spare;
    this.spare = undefined;
    if (spare && !spare.isolate.isDisposed) spare.isolate.dispose();
  }

  /** The spare, if it suits this memory limit, taken out of the pool for good. */
  private takeSpare(memoryMb: number): Spare | undefined {
    const spare = this.spare;
    if (!spare || spare.memoryMb !== memoryMb) return undefined;
    this.spare = undefined;
    if (spare.isolate.isDisposed) return undefined;
    return spare;
  }

  private async prepareContext(isolate: ivm.Isolate, compat: IsolateCompat): Promise<SpareContext> {
    const context = await isolate.createContext();
    try {
      let bound: { hook: HookContext; onBridge: LoadRequest['onBridge'] } | undefined;
      const bridge = new ivm.Reference((kind: unknown, id: unknown, a: unknown, b: unknown) => (bound ? bound.onBridge(bound.hook, kind, id, a, b) : undefined));
      const enter = (await compat.bootstrap(context, bridge, 2_000)) as HookContext['enter'];
      await compat.installGlobals(context, 2_000);
      return { context, enter, bind: (hook, onBridge) => (bound = { hook, onBridge }) };
    } catch (error) {
      context.release();
      throw error;
    }
  }

  /** The hook's context for this version of its script: ready, being loaded, or loaded now. */
  context(owner: TenantIsolate, script: ScriptSource, load: LoadRequest): HookContext | Promise<HookContext> {
    const ready = owner.ready.get(load.hookId);
    if (ready && ready.hash === script.hash) return ready;
    const cached = owner.hooks.get(load.hookId);
    if (cached) return cached.then((hook) => (hook.hash === script.hash ? hook : this.replace(owner, script, load, hook)));
    return this.replace(owner, script, load);
  }

  /** Takes an isolate out of use; it is disposed once its invocations are over. */
  retire(owner: TenantIsolate): void {
    owner.retired = true;
    if (this.isolates.get(owner.key) === owner) this.isolates.delete(owner.key);
    if (owner.active === 0) this.dispose(owner);
  }

  dispose(owner: TenantIsolate): void {
    if (this.isolates.get(owner.key) === owner) this.isolates.delete(owner.key);
    owner.retired = true;
    if (!owner.isolate.isDisposed) owner.isolate.dispose();
  }

  /** Disposes isolates idle for longer than `idleMs`. */
  evictIdle(now: number, idleMs: number): void {
    for (const owner of [...this.isolates.values()]) {
      if (owner.active === 0 && now - owner.lastUsed > idleMs) this.dispose(owner);
    }
  }

  private replace(owner: TenantIsolate, script: ScriptSource, load: LoadRequest, previous?: HookContext): Promise<HookContext> {
    previous?.context.release();
    const created = this.create(owner, script, load);
    owner.hooks.set(load.hookId, created);
    owner.ready.delete(load.hookId);
    created.then(
      (hook) => {
        if (owner.hooks.get(load.hookId) === created) owner.ready.set(load.hookId, hook);
      },
      () => {
        if (owner.hooks.get(load.hookId) === created) owner.hooks.delete(load.hookId);
      },
    );
    return created;
  }

  private async create(owner: TenantIsolate, script: ScriptSource, load: LoadRequest): Promise<HookContext> {
    const { isolate } = owner;
    // The first hook of a tenant that took the spare isolate gets its prepared context (once).
    const spareContext = owner.spareContext;
    owner.spareContext = undefined;
    const spare = spareContext ? await spareContext.catch(() => undefined) : undefined;
    const context = spare?.context ?? (await isolate.createContext());
    try {
      const hook = { hookId: load.hookId, hash: script.hash, context, owner } as HookContext;
      if (spare) {
        spare.bind(hook, load.onBridge);
        hook.enter = spare.enter;
        await owner.compat.installModules(context, script.modules, Math.min(2_000, load.remainingMs()));
      } else {
        const bridge = new ivm.Reference((kind: unknown, id: unknown, a: unknown, b: unknown) => load.onBridge(hook, kind, id, a, b));
        // The bootstrap, then web globals, require() and the modules this hook requires on top of its
        // primitives: all through the isolate's queue, never blocking this worker while a hook runs there.
        hook.enter = (await owner.compat.bootstrap(context, bridge, 2_000)) as HookContext['enter'];
        await owner.compat.install(context, script.modules, Math.min(2_000, load.remainingMs()));
      }
      const compiled = await isolate.compileScript(script.code, { filename: script.filename });
      const wrapper = await compiled.run(context, { reference: true, timeout: load.remainingMs() });
      compiled.release();
      const hookName = load.hookId.slice(load.hookId.lastIndexOf('/') + 1);
      // Auth0's legacy context.webtask, less the secrets (added per invocation): plain data, as JSON.
      const meta = JSON.stringify({ filename: script.filename, webtask: buildWebtaskContext({ tenant: load.tenant, hookName }) });
      const form = await hook.enter.apply(undefined, ['load', load.invocationId, wrapper.derefInto(), meta], { timeout: load.remainingMs() });
      // 'actions', 'async' or 'callback': the last two take the same arguments.
      hook.form = form === 'actions' ? 'actions' : 'hooks';
      return hook;
    } catch (error) {
      context.release();
      throw error;
    }
  }
}
