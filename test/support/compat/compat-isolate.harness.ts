// Test harness only: a minimal stand-in for the sandbox to run the compatibility layer in a
// REAL isolated-vm isolate. Its fetch goes straight to the host's fetch with no allowHosts/SSRF policy:
// the sandbox's policy-checked bridge replaces it in production.
import ivm from 'isolated-vm';
import { getCompatRuntime } from '../../../src/hookline/hooks/compat/compat-runtime';
import { normalizeHookSource } from '../../../src/hookline/hooks/compat/hook-source';
import { requiredModuleIds } from '../../../src/hookline/hooks/compat/require-check';

export interface LogLine {
  level: string;
  message: string;
}

export interface HookOutcome {
  status: 'ok' | 'error';
  error?: { name: string; message: string; code?: string; status?: number };
  response?: unknown;
  logs: LogLine[];
}

async function hostFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) {
  try {
    const res = await fetch(url, { method: init.method, headers: init.headers, body: init.body, redirect: 'manual' });
    const headers: [string, string][] = [];
    res.headers.forEach((value, name) => headers.push([name, value]));
    return { status: res.status, ok: res.ok, statusText: res.statusText, url: res.url, headers, body: await res.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: { message: cause?.message ?? (error as Error).message, code: cause?.code } };
  }
}

// Inside the isolate: the fetch primitive, timers and console the sandbox would provide.
const SANDBOX_STANDIN = `
(() => {
  const fetchRef = __host.fetch, sleepRef = __host.sleep, logRef = __host.log;
  globalThis.fetch = async function fetch(url, init) {
    const r = await fetchRef.apply(undefined, [url, init], { arguments: { copy: true }, result: { promise: true, copy: true } });
    if (r.error) { const e = new Error(r.error.message); if (r.error.code) e.code = r.error.code; throw e; }
    const lower = new Map(r.headers.map(([k, v]) => [k.toLowerCase(), v]));
    return { status: r.status, ok: r.ok, statusText: r.statusText, url: r.url,
      headers: { get: (n) => lower.has(String(n).toLowerCase()) ? lower.get(String(n).toLowerCase()) : null,
                 forEach: (cb) => r.headers.forEach(([k, v]) => cb(v, k)) },
      text: async () => r.body, json: async () => JSON.parse(r.body) };
  };
  let next = 0; const live = new Set();
  globalThis.setTimeout = (fn, ms, ...args) => { const id = ++next; live.add(id);
    sleepRef.apply(undefined, [Number(ms) || 0], { result: { promise: true } }).then(() => { if (live.delete(id)) fn(...args); });
    return id; };
  globalThis.clearTimeout = (id) => { live.delete(id); };
  const show = (v) => typeof v === 'string' ? v : v instanceof Error ? v.stack || String(v) : (() => { try { return JSON.stringify(v); } catch { return String(v); } })();
  const log = (level) => (...args) => logRef.applySync(undefined, [level, args.map(show).join(' ')], { arguments: { copy: true } });
  globalThis.console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error') };
  delete globalThis.__host;
})();
`;

const INVOKE = `
globalThis.__invoke = function (a, b, kind) {
  const exported = globalThis.__hook;
  const describe = (e) => e && typeof e === 'object'
    ? { name: e.name || 'Error', message: String(e.message), code: e.code, status: e.response && e.response.status }
    : { name: 'Error', message: String(e) };
  return new Promise((resolve) => {
    try {
      if (kind === 'action') {
        Promise.resolve(exported.onExecutePostUserRegistration(a, b)).then(() => resolve({ status: 'ok' }), (e) => resolve({ status: 'error', error: describe(e) }));
      } else if (exported.length >= 3) {
        exported(a, b, (err, response) => resolve(err ? { status: 'error', error: describe(err) } : { status: 'ok', response }));
      } else {
        Promise.resolve(exported(a, b)).then(() => resolve({ status: 'ok' }), (e) => resolve({ status: 'error', error: describe(e) }));
      }
    } catch (e) { resolve({ status: 'error', error: describe(e) }); }
  }).then((r) => JSON.stringify(r));
};
`;

/** One isolate for a test file; each hook gets its own context with the compat layer installed. */
export class CompatIsolate {
  readonly isolate = new ivm.Isolate({ memoryLimit: 64 });
  private readonly runtime = getCompatRuntime();
  // Compiled once per isolate, run in every context.
  private readonly globals = this.isolate.compileScriptSync(this.runtime.globalsSource, { filename: 'hookline:globals' });
  private readonly shim = this.isolate.compileScriptSync(this.runtime.requireShimSource, { filename: 'hookline:require' });
  private readonly modules = new Map(
    Object.entries(this.runtime.moduleSources).map(([id, src]) => [id, this.isolate.compileScriptSync(src, { filename: `hookline:${id}` })]),
  );

  /** A context with the stand-in primitives, the globals, require() and the modules the script requires. */
  createContext(logs: LogLine[], moduleIds: string[] = Object.keys(this.runtime.moduleSources)): ivm.Context {
    const context = this.isolate.createContextSync();
    context.evalSync('globalThis.__host = {}');
    const host = context.global.getSync('__host', { reference: true }) as ivm.Reference<Record<string, unknown>>;
    host.setSync('fetch', new ivm.Reference(hostFetch));
    host.setSync('sleep', new ivm.Reference((ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 5_000)))));
    host.setSync('log', new ivm.Reference((level: string, message: string) => void logs.push({ level, message })));
    context.evalSync(SANDBOX_STANDIN);
    this.globals.runSync(context);
    this.shim.runSync(context);
    for (const id of moduleIds) this.modules.get(id)!.runSync(context);
    return context;
  }

  /** Loads a hook script the way the sandbox would and calls it once. */
  async runHook(source: string, filename: string, args: [unknown, unknown], kind: 'hook' | 'action' = 'hook'): Promise<HookOutcome> {
    const logs: LogLine[] = [];
    const context = this.createContext(logs, requiredModuleIds(source, filename));
    const { code } = normalizeHookSource(source, filename);
    const wrapper = this.isolate.compileScriptSync(code, { filename });
    context.global.setSync('__wrapper', wrapper.runSync(context, { reference: true }).derefInto());
    context.evalSync(INVOKE);
    // A require() that fails while the module loads fails the invocation, as it would in the sandbox.
    const loadError = context.evalSync(
      `(() => { try { globalThis.__hook = __hooklineCompat.loadModule(__wrapper, ${JSON.stringify(filename)}); } catch (e) { return JSON.stringify({ name: e.name, message: e.message, code: e.code }); } })()`,
    ) as string | undefined;
    if (loadError) return { status: 'error', error: JSON.parse(loadError), logs };
    const invoke = context.global.getSync('__invoke', { reference: true }) as ivm.Reference;
    try {
      const json = await invoke.apply(undefined, [args[0], args[1], kind], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
        timeout: 5_000,
      });
      return { ...(JSON.parse(json as string) as Omit<HookOutcome, 'logs'>), logs };
    } catch (error) {
      return { status: 'error', error: { name: 'HostError', message: (error as Error).message }, logs };
    }
  }

  /** Evaluates an expression (awaited when it is a promise) in a fresh compat context; returns it as JSON. */
  async evaluate(expression: string): Promise<unknown> {
    const context = this.createContext([]);
    const json = await context.evalClosure(`return Promise.resolve((async () => (${expression}))()).then((v) => JSON.stringify(v));`, [], {
      result: { promise: true, copy: true },
      timeout: 5_000,
    });
    return json === undefined ? undefined : JSON.parse(json as string);
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}
