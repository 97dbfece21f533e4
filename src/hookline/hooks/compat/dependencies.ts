import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { satisfies, validRange } from 'semver';
import { NODE_PROVIDED } from './compat-modules';
import { listRequires } from './require-check';

/** Limits of hook dependencies (docs/migrating-from-auth0.md lists them). */
const DEPENDENCY_LIMITS = {
  /** A bundled package (with its own dependencies) larger than this is refused. */
  maxBundleBytes: 4 * 1024 * 1024,
  /** Dependencies per hook, as Auth0 Actions allowed (declared and undeclared together). */
  maxPerHook: 10,
} as const;

/** A package a hook requires, bundled for the isolate. */
export interface HookDependency {
  name: string;
  version: string;
  /** The module id in the isolate: `npm:<name>@<version>:<content hash>`. */
  id: string;
  /** A script that registers the bundle with `__hooklineCompat.define(id, factory, [name])`. */
  source: string;
  /** Declared in the hook's `dependencies` (false: required without being declared). */
  declared: boolean;
}

/** A problem of a dependency, found when the config loads: errors stop the config, warnings are reported. */
export interface DependencyProblem {
  severity: 'error' | 'warning';
  /** The package it is about (for the line of its require). */
  package?: string;
  code: 'DEPENDENCY_NOT_INSTALLED' | 'DEPENDENCY_VERSION_MISMATCH' | 'DEPENDENCY_NOT_SUPPORTED' | 'DEPENDENCY_UNDECLARED' | 'DEPENDENCY_CONDITIONAL_BUILTIN' | 'DEPENDENCY_TOO_LARGE' | 'DEPENDENCY_RANGE_INVALID';
  message: string;
}

export interface InstalledPackage {
  /** The folder whose node_modules holds it (where `require(name)` resolves from). */
  base: string;
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** Node built-ins a package may not reach for while it loads (they would give it the host). */
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Packages that load a compiled addon. */
const ADDON_LOADERS = ['bindings', 'node-gyp-build', 'node-gyp-build-optional-packages', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'nan', 'node-addon-api'];

/**
 * The installed copy of `name` that Node would load from `from` (the nearest node_modules above it),
 * read from its package.json (a package's `exports` may hide that file from require.resolve).
 */
export function findInstalled(name: string, from: string): InstalledPackage | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifestPath = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
      return { base: dir, name, version: String(manifest.version), dir: dirname(manifestPath), manifest };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The range check of a declared dependency: a message when the installed version is outside it. */
function checkRange(hook: string, name: string, range: string, installed: string): DependencyProblem | undefined {
  if (!validRange(range)) {
    return { severity: 'error', code: 'DEPENDENCY_RANGE_INVALID', message: `hook ${hook}: dependencies.${name}: "${range}" is not a valid semver range` };
  }
  if (satisfies(installed, range, { includePrerelease: true })) return undefined;
  return {
    severity: 'error',
    code: 'DEPENDENCY_VERSION_MISMATCH',
    message: `hook ${hook}: ${name} ${range} is declared but ${installed} is installed; run npm i ${name}@"${range}" or change the range`,
  };
}

const bundles = new Map<string, { source: string; id: string; problems: DependencyProblem[] }>();

/**
 * Bundles an installed package for the isolate with esbuild (once per version and content, kept for
 * the process): Node built-ins stay `require()` calls that the isolate's require answers (the
 * built-ins of isolate/node/, or MODULE_NOT_FOUND); everything else is inlined. A package that
 * reaches, while it loads, for a built-in the sandbox lacks or for a compiled addon is refused.
 */
export function bundleDependency(pkg: InstalledPackage, declared: boolean): { dependency?: HookDependency; problems: DependencyProblem[] } {
  const key = `${pkg.dir}\0${pkg.version}\0${JSON.stringify(pkg.manifest)}`;
  let bundled = bundles.get(key);
  if (!bundled) {
    bundled = build(pkg);
    bundles.set(key, bundled);
  }
  const problems = [...bundled.problems];
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { dependency: { name: pkg.name, version: pkg.version, id: bundled.id, source: bundled.source, declared }, problems };
}

/** The isolate's `os` (in the package, the build copies isolate/shims/ beside the bundles). */
const OS_SHIM = join(__dirname, '..', 'isolate', 'shims', 'os.js');

function addonLoader(pkg: InstalledPackage): string | undefined {
  if (pkg.manifest.gypfile === true || existsSync(join(pkg.dir, 'binding.gyp'))) return 'a compiled addon (binding.gyp)';
  const deps = { ...(pkg.manifest.dependencies as Record<string, string> | undefined) };
  const loader = ADDON_LOADERS.find((name) => name in deps);
  return loader ? `a compiled addon (through ${loader})` : undefined;
}

function build(pkg: InstalledPackage): { source: string; id: string; problems: DependencyProblem[] } {
  const label = `${pkg.name}@${pkg.version}`;
  const fail = (code: DependencyProblem['code'], message: string) => ({ source: '', id: '', problems: [{ severity: 'error' as const, code, message }] });
  const addon = addonLoader(pkg);
  if (addon) return fail('DEPENDENCY_NOT_SUPPORTED', `${label} needs ${addon}, which the sandbox cannot load`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const entry = join(pkg.dir, '__hookline_entry__.js');
  let result: import('esbuild').BuildResult & { outputFiles: import('esbuild').OutputFile[]; metafile: import('esbuild').Metafile };
  try {
    result = esbuild.buildSync({
      stdin: { contents: `module.exports = require(${JSON.stringify(pkg.name)});`, resolveDir: pkg.base, sourcefile: entry },
      bundle: true,
      write: false,
      metafile: true,
      format: 'cjs',
      platform: 'browser',
      mainFields: ['browser', 'main', 'module'],
      conditions: ['require', 'node'],
      target: 'es2022',
      charset: 'utf8',
      keepNames: true,
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      external: [...NODE_BUILTINS],
      alias: { os: OS_SHIM, 'node:os': OS_SHIM },
      define: { global: 'globalThis' },
    }) as typeof result;
  } catch (error) {
    const detail = ((error as { errors?: Array<{ text: string }> }).errors ?? []).map((e) => e.text).join('; ') || (error as Error).message;
    if (/\.node\b/.test(detail)) return fail('DEPENDENCY_NOT_SUPPORTED', `${label} needs a compiled addon, which the sandbox cannot load (${detail})`);
    return fail('DEPENDENCY_NOT_SUPPORTED', `${label} cannot be bundled for the sandbox: ${detail}`);
  }
  const problems = builtinProblems(pkg, label, result.metafile);
  if (problems.some((p) => p.severity === 'error')) return { source: '', id: '', problems };
  const code = result.outputFiles[0].text;
  if (Buffer.byteLength(code) > DEPENDENCY_LIMITS.maxBundleBytes) {
    return fail('DEPENDENCY_TOO_LARGE', `${label} bundles to ${Math.round(Buffer.byteLength(code) / 1024)} KB, more than the ${DEPENDENCY_LIMITS.maxBundleBytes / 1024 / 1024} MB a hook dependency may have`);
  }
  const id = `npm:${label}:${createHash('sha256').update(code).digest('hex').slice(0, 16)}`;
  const source = `__hooklineCompat.define(${JSON.stringify(id)}, function (module, exports, require) {\n${code}\n}, ${JSON.stringify([pkg.name])});\n`;
  return { source, id, problems };
}

/** Built-ins the sandbox lacks that a package's files require: unconditionally (an error) or conditionally (a warning). */
function builtinProblems(pkg: InstalledPackage, label: string, metafile: import('esbuild').Metafile): DependencyProblem[] {
  const problems: DependencyProblem[] = [];
  const seen = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    const missing = input.imports.filter((i) => i.external && NODE_BUILTINS.has(i.path) && !NODE_PROVIDED.includes(i.path.replace(/^node:/, '')));
    if (missing.length === 0) continue;
    const path = resolve(file);
    let refs: ReturnType<typeof listRequires> = [];
    try {
      refs = listRequires(readFileSync(path, 'utf8'), path);
    } catch {
      // An ES module or a syntax acorn does not read: treat its requires as unconditional.
    }
    for (const dep of missing) {
      const name = dep.path.replace(/^node:/, '');
      const ref = refs.find((r) => r.specifier === dep.path);
      const where = `${relative(pkg.dir, path) || path}${ref ? `:${ref.line}` : ''}`;
      const key = `${name}\0${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (ref?.conditional) {
        problems.push({ severity: 'warning', code: 'DEPENDENCY_CONDITIONAL_BUILTIN', message: `${label} may require "${name}" (${where}), which the sandbox does not provide: if that code runs, it throws MODULE_NOT_FOUND` });
      } else {
        problems.push({ severity: 'error', code: 'DEPENDENCY_NOT_SUPPORTED', message: `${label} reaches for "${name}" while it loads (${where}), which the sandbox does not provide` });
      }
    }
  }
  return problems;
}

/** How a hook's packages resolve: its declared `dependencies`, from where, and whether undeclared ones are refused. */
export interface DependencyOptions {
  /** The hook, for messages (its script as shown). */
  hook: string;
  declared: Record<string, string>;
  /** Where `require(name)` resolves from: the config file's folder, or `sandbox.resolveFrom`. */
  resolveFrom: string;
  /** An installed but undeclared package is an error rather than a warning. @default false */
  strict?: boolean;
  /** The allow-list: a declared name there resolves to the sandbox's own module (its range is only checked). */
  provided: ReadonlyArray<{ id: string; aliases: readonly string[]; version: string }>;
}

/**
 * The packages a hook uses, resolved and bundled: its declared `dependencies`, and the installed
 * packages it requires without declaring them (allowed with a warning, as Auth0 Hooks allowed them,
 * unless `strict`). `requires` are the literal names its script requires.
 */
export function resolveHookDependencies(requires: readonly string[], options: DependencyOptions): { dependencies: HookDependency[]; problems: DependencyProblem[]; installed: Set<string> } {
  const dependencies: HookDependency[] = [];
  const problems: DependencyProblem[] = [];
  const installed = new Set<string>();
  const providedEntry = (name: string) => options.provided.find((m) => m.id === name || m.aliases.includes(name));
  const add = (pkg: InstalledPackage, declared: boolean) => {
    const bundled = bundleDependency(pkg, declared);
    problems.push(...bundled.problems.map((p) => ({ ...p, message: `hook ${options.hook}: ${p.message}` })));
    installed.add(pkg.name);
    if (bundled.dependency) dependencies.push(bundled.dependency);
  };
  for (const [name, range] of Object.entries(options.declared)) {
    const own = providedEntry(name);
    if (own) {
      const mismatch = checkRange(options.hook, name, range, own.version);
      if (mismatch) problems.push({ ...mismatch, severity: 'warning', message: `${mismatch.message.replace(/; run npm i .*$/, '')}: Hookline provides ${own.id} ${own.version} in the sandbox and uses it` });
      continue;
    }
    if (NODE_PROVIDED.includes(name)) continue;
    const pkg = findInstalled(name, options.resolveFrom);
    if (!pkg) {
      problems.push({ severity: 'error', code: 'DEPENDENCY_NOT_INSTALLED', message: `hook ${options.hook}: ${name} ${range} is declared but not installed where hooks resolve from (${options.resolveFrom}); run npm i ${name}@"${range}"` });
      continue;
    }
    const mismatch = checkRange(options.hook, name, range, pkg.version);
    if (mismatch) {
      problems.push(mismatch);
      continue;
    }
    add(pkg, true);
  }
  for (const specifier of new Set(requires)) {
    const name = /^((?:@[^/@]+\/)?[^/@]+)/.exec(specifier)?.[1] ?? specifier;
    if (specifier.startsWith('node:') || NODE_BUILTINS.has(name) || providedEntry(name) || name in options.declared || installed.has(name)) continue;
    const pkg = findInstalled(name, options.resolveFrom);
    if (!pkg) continue; // Not installed: the require check reports it (unsupported module).
    if (options.strict) {
      problems.push({ severity: 'error', code: 'DEPENDENCY_UNDECLARED', message: `hook ${options.hook}: requires ${name}, which is installed (${pkg.version}) but not in its dependencies (strictDependencies is on); add dependencies: { ${name}: "^${pkg.version}" }` });
      installed.add(name);
      continue;
    }
    problems.push({ severity: 'warning', code: 'DEPENDENCY_UNDECLARED', package: name, message: `hook ${options.hook}: requires ${name} without declaring it; using the installed ${pkg.version} (declare dependencies: { ${name}: "^${pkg.version}" })` });
    add(pkg, false);
  }
  if (dependencies.length > DEPENDENCY_LIMITS.maxPerHook) {
    problems.push({ severity: 'error', code: 'DEPENDENCY_TOO_LARGE', message: `hook ${options.hook}: ${dependencies.length} packages; a hook may use at most ${DEPENDENCY_LIMITS.maxPerHook}` });
  }
  return { dependencies, problems, installed };
}
