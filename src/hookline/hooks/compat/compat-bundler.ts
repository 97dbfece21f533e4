import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { COMPAT_MODULES, type CompatModuleSpec, type SupportedModule } from './compat-modules';
import { NODE_BUILTIN_NAMES, NODE_MODULE_ID, NODE_PROVIDED } from './compat-modules';

/** Everything the sandbox evaluates in a context before a hook; see README.md. */
export interface CompatRuntime {
  /** isolate/bootstrap.js as written: declares `hooklineBootstrap(hostRef, limits)` (see compat.scripts.ts). */
  bootstrapSource: string;
  /** IIFE: URL, URLSearchParams, TextEncoder/Decoder, atob/btoa, AbortController/Signal, Headers, FormData, queueMicrotask, and the fetch adapter. */
  globalsSource: string;
  /** IIFE: defines `require` and `__hooklineCompat` (define, require, resolve, loadModule, warn). */
  requireShimSource: string;
  /** Module id → script that registers it with `__hooklineCompat.define` (its code runs on first require). */
  moduleSources: Record<string, string>;
  /** The allow-list with the versions provided. */
  modules: SupportedModule[];
}

type Esbuild = typeof import('esbuild');

export function supportedModules(): SupportedModule[] {
  return COMPAT_MODULES.map((m: CompatModuleSpec) => ({
    id: m.id,
    aliases: m.aliases ?? [],
    kind: m.kind,
    version: m.version,
    ...(m.subpaths ? { subpaths: m.subpaths } : {}),
  }));
}

function bundle(esbuild: Esbuild, dir: string, entry: string, options: BuildOptions): string {
  const result = esbuild.buildSync({
    entryPoints: [join(dir, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    keepNames: true, // libraries name their errors after their classes (this.constructor.name)
    legalComments: 'none',
    logLevel: 'silent',
    absWorkingDir: dir,
    alias: { os: join(dir, 'shims', 'os.js'), 'node:os': join(dir, 'shims', 'os.js') },
    inject: [join(dir, 'shims', 'process.js'), join(dir, 'shims', 'console-assert.js')],
    ...options,
    define: {
      global: 'globalThis',
      'process.env.NODE_ENV': '"production"',
      'console.assert': 'hooklineConsoleAssert',
      ...options.define,
    },
  });
  return result.outputFiles![0].text;
}

/** Bundles the globals, the require shim and every module of the allow-list (synchronous: ~1 s). */
export function buildCompatRuntime(dir: string): CompatRuntime {
  // esbuild is a build-time tool: loaded only when bundles must be (re)built.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild: Esbuild = require('esbuild');
  const modules = supportedModules();
  const globalsSource = bundle(esbuild, dir, 'globals.js', { format: 'iife', minify: true });
  const requireShimSource = bundle(esbuild, dir, 'require-shim.js', {
    format: 'iife',
    define: {
      SUPPORTED_MODULES: JSON.stringify(modules),
      NODE_BUILTINS: JSON.stringify(NODE_BUILTIN_NAMES),
      NODE_PROVIDED: JSON.stringify(NODE_PROVIDED),
    },
  });
  const moduleSources: Record<string, string> = {};
  for (const spec of COMPAT_MODULES) {
    const code = bundle(esbuild, dir, join('modules', spec.entry), {
      format: 'cjs',
      minify: spec.kind === 'package',
    });
    const unwrap = spec.defaultExport ? 'module.exports = module.exports.default;\n' : '';
    moduleSources[spec.id] =
      `__hooklineCompat.define(${JSON.stringify(spec.id)}, function (module, exports, require) {\n${code}\n${unwrap}});\n`;
  }
  moduleSources[NODE_MODULE_ID] = bundleNodeBuiltins(esbuild, dir);
  const bootstrapSource = readFileSync(join(dir, 'bootstrap.js'), 'utf8');
  return { bootstrapSource, globalsSource, requireShimSource, moduleSources, modules };
}

/** The built-ins module (isolate/node/): Node's process injected for the packages it bundles (readable-stream uses nextTick). */
export function bundleNodeBuiltins(esbuild: Esbuild, dir: string): string {
  const code = bundle(esbuild, dir, join('node', 'index.js'), {
    format: 'cjs',
    minify: true,
    inject: [join(dir, 'node', 'process.js'), join(dir, 'shims', 'console-assert.js')],
    define: { HOOKLINE_NODE_VERSION: JSON.stringify(process.version) },
  });
  return `__hooklineCompat.define(${JSON.stringify(NODE_MODULE_ID)}, function (module, exports, require) {\n${code}\n});\n${NODE_GLOBALS}`;
}

/**
 * Node's Buffer and process as globals of a context that has the built-ins module (its hook names
 * them or requires a built-in), loaded on first use. A context without it has neither.
 */
const NODE_GLOBALS = `(function () {
  for (const [name, pick] of [['Buffer', (node) => node.buffer.Buffer], ['process', (node) => node.process]]) {
    if (Object.getOwnPropertyDescriptor(globalThis, name)) continue;
    const settle = (value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(globalThis, name, {
      get() { const value = pick(__hooklineCompat.load(${JSON.stringify(NODE_MODULE_ID)})); settle(value); return value; },
      set: settle,
      configurable: true,
      enumerable: false,
    });
  }
})();
`;
