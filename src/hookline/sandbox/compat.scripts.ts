import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import type { CompatRuntime } from '../sandbox-compat/compat-bundler';

const GLOBALS = 'hookline:globals';
const SHIM = 'hookline:require';

/**
 * The Auth0 compatibility layer's sources (web globals, require(), bundled modules) in a sandbox
 * worker. V8's code cache of each source is produced by the first isolate that compiles it and reused by
 * the next ones (compiling the globals drops from ~4 ms to ~0.2 ms).
 */
export class CompatScripts {
  private readonly cachedData = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
  private readonly sources: Map<string, string>;

  constructor(readonly runtime: CompatRuntime) {
    this.sources = new Map([
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

  compile(isolate: ivm.Isolate, name: string): ivm.Script {
    const source = this.sources.get(name);
    if (source === undefined) throw new Error(`no compatibility module ${name}`);
    const cachedData = this.cachedData.get(name);
    if (cachedData) return isolate.compileScriptSync(source, { filename: name, cachedData });
    const script = isolate.compileScriptSync(source, { filename: name, produceCachedData: true }) as ivm.Script & ivm.CachedDataResult;
    if (script.cachedData) this.cachedData.set(name, script.cachedData);
    return script;
  }
}

/** One isolate's compiled compat scripts: compiled once, run in each hook context of the isolate. */
export class IsolateCompat {
  private readonly compiled = new Map<string, ivm.Script>();

  constructor(
    private readonly isolate: ivm.Isolate,
    private readonly scripts: CompatScripts,
  ) {}

  /** Installs the web globals and require(), then registers the modules the hook requires. */
  install(context: ivm.Context, moduleIds: readonly string[], timeoutMs: number): void {
    this.script(GLOBALS).runSync(context, { timeout: timeoutMs });
    this.script(SHIM).runSync(context, { timeout: timeoutMs });
    for (const id of moduleIds) {
      if (id in this.scripts.runtime.moduleSources) this.script(`hookline:${id}`).runSync(context, { timeout: timeoutMs });
    }
  }

  private script(name: string): ivm.Script {
    let script = this.compiled.get(name);
    if (!script) this.compiled.set(name, (script = this.scripts.compile(this.isolate, name)));
    return script;
  }
}
