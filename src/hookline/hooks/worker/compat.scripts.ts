import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import type { CompatRuntime } from '../compat/compat-bundler';
import { SANDBOX_LIMITS } from '../host/sandbox.limits';

const BOOTSTRAP = 'hookline:bootstrap';
const GLOBALS = 'hookline:globals';
const SHIM = 'hookline:require';

/**
 * The scripts every hook context runs before its hook: the sandbox's bootstrap, then the Auth0
 * compatibility layer's sources (web globals, require(), bundled modules). V8's code cache of each is
 * produced by the first isolate that compiles it and reused by the next ones (compiling the globals
 * drops from ~4 ms to ~0.2 ms, the bootstrap from ~0.7 ms to ~0.3 ms).
 */
export class CompatScripts {
  private readonly cachedData = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
  private readonly sources: Map<string, string>;

  constructor(readonly runtime: CompatRuntime) {
    this.sources = new Map([
      // A function of the bridge reference, so that it compiles once per isolate (evalClosure would compile per context).
      [BOOTSTRAP, `(function ($0) {\n${runtime.bootstrapSource}\nreturn hooklineBootstrap($0, ${JSON.stringify(SANDBOX_LIMITS)});\n})`],
      [GLOBALS, runtime.globalsSource],
      [SHIM, runtime.requireShimSource],
      ...Object.entries(runtime.moduleSources).map(([id, source]) => [`hookline:${id}`, source] as [string, string]),
    ]);
  }

  /** Reads the bundles the pool located (`dist/sandbox-compat/compat-runtime.json`). */
  static fromFile(path: string): CompatScripts {
    return new CompatScripts((JSON.parse(readFileSync(path, 'utf8')) as { runtime: CompatRuntime }).runtime);
  }

  /** The scripts of one isolate, compiled on first use. */
  forIsolate(isolate: ivm.Isolate): IsolateCompat {
    return new IsolateCompat(isolate, this);
  }

  /** Compiles through the isolate's own queue (never blocking this thread while a hook runs in it). */
  async compile(isolate: ivm.Isolate, name: string): Promise<ivm.Script> {
    const source = this.source(name);
    const cachedData = this.cachedData.get(name);
    if (cachedData) return isolate.compileScript(source, { filename: name, cachedData });
    return this.keep(name, await isolate.compileScript(source, { filename: name, produceCachedData: true }));
  }

  private source(name: string): string {
    const source = this.sources.get(name);
    if (source === undefined) throw new Error(`no compatibility module ${name}`);
    return source;
  }

  private keep(name: string, script: ivm.Script): ivm.Script {
    const cachedData = (script as ivm.Script & ivm.CachedDataResult).cachedData;
    if (cachedData) this.cachedData.set(name, cachedData);
    return script;
  }

  hasModule(id: string): boolean {
    return id in this.runtime.moduleSources || this.sources.has(`hookline:${id}`);
  }

  /** A bundled npm package of a hook (from the pool), compiled per isolate like the others. */
  addModule(id: string, source: string): void {
    if (!this.sources.has(`hookline:${id}`)) this.sources.set(`hookline:${id}`, source);
  }
}

/** One isolate's compiled scripts: compiled once, run in each hook context of the isolate. */
export class IsolateCompat {
  private readonly compiled = new Map<string, Promise<ivm.Script>>();

  constructor(
    private readonly isolate: ivm.Isolate,
    private readonly scripts: CompatScripts,
  ) {}

  /** Runs the bootstrap in a fresh context; returns its `enter` function. */
  async bootstrap(context: ivm.Context, bridge: ivm.Reference<unknown>, timeoutMs: number): Promise<ivm.Reference<(...args: unknown[]) => unknown>> {
    const script = await this.script(BOOTSTRAP);
    const install = (await script.run(context, { reference: true, timeout: timeoutMs })) as ivm.Reference<(bridge: unknown) => unknown>;
    try {
      return (await install.apply(undefined, [bridge], { result: { reference: true }, timeout: timeoutMs })) as ivm.Reference<(...args: unknown[]) => unknown>;
    } finally {
      install.release();
    }
  }

  /** Installs the web globals and require(), then registers the modules the hook requires. */
  async install(context: ivm.Context, moduleIds: readonly string[], timeoutMs: number): Promise<void> {
    await this.run(context, [GLOBALS, SHIM, ...this.moduleNames(moduleIds)], timeoutMs);
  }

  /** The web globals and require() alone: what every hook context gets, whatever its script. */
  installGlobals(context: ivm.Context, timeoutMs: number): Promise<void> {
    return this.run(context, [GLOBALS, SHIM], timeoutMs);
  }

  /** Registers the modules the hook requires, in a context that has the globals and require() already. */
  installModules(context: ivm.Context, moduleIds: readonly string[], timeoutMs: number): Promise<void> {
    return this.run(context, this.moduleNames(moduleIds), timeoutMs);
  }

  private async run(context: ivm.Context, names: readonly string[], timeoutMs: number): Promise<void> {
    if (names.length === 0) return;
    const scripts = await Promise.all(names.map((name) => this.script(name)));
    // Queued together: the isolate runs them in order, one wake-up instead of one per script.
    await Promise.all(scripts.map((script) => script.run(context, { timeout: timeoutMs })));
  }

  private moduleNames(moduleIds: readonly string[]): string[] {
    return moduleIds.filter((id) => this.scripts.hasModule(id)).map((id) => `hookline:${id}`);
  }

  private script(name: string): Promise<ivm.Script> {
    let script = this.compiled.get(name);
    if (!script) {
      script = this.scripts.compile(this.isolate, name);
      script.catch(() => this.compiled.delete(name));
      this.compiled.set(name, script);
    }
    return script;
  }
}
