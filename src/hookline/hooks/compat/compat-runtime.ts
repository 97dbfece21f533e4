import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compatMessages } from './compat.messages';
import { CompatBundlesMissingError } from './compat.errors';
import { buildCompatRuntime, type CompatRuntime } from './compat-bundler';
import { COMPAT_MODULES } from './compat-modules';

/**
 * The isolate-side sources and, once built, the bundles file: both in the `isolate` folder beside this
 * one. Compiled (the package, `dist/`), that folder holds the bundles `npm run build` wrote there; run
 * from TypeScript sources (the repository's tests), it holds the sources, bundled on demand.
 */
const ISOLATE_DIR = join(__dirname, '..', 'isolate');
export const COMPAT_RUNTIME_FILE_NAME = 'compat-runtime.json';

let memo: { file: string; runtime: CompatRuntime } | undefined;

function fromSources(): boolean {
  return __filename.endsWith('.ts') && existsSync(join(ISOLATE_DIR, 'globals.js'));
}

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, path);
    else if (name !== COMPAT_RUNTIME_FILE_NAME) hash.update(name).update(readFileSync(path));
  }
}

/** Changes whenever the lockfile (the bundled libraries' versions), the isolate-side sources or the allow-list change. */
function compatCacheKey(isolateDir: string, lockfile: string | undefined): string {
  const hash = createHash('sha256');
  if (lockfile && existsSync(lockfile)) hash.update(readFileSync(lockfile));
  hash.update(JSON.stringify(COMPAT_MODULES));
  hash.update(readFileSync(require.resolve('./compat-bundler'))); // its esbuild options
  hashTree(hash, isolateDir);
  return hash.digest('hex');
}

function readCache(file: string): { key?: string; runtime: CompatRuntime } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Writes the bundles of `isolateDir` to `file` unless it already holds those of the current sources
 * (written atomically: parallel test workers may build at once). The build step and the source mode use it.
 */
export function ensureCompatRuntime(isolateDir: string, file: string, lockfile?: string): CompatRuntime {
  const key = compatCacheKey(isolateDir, lockfile);
  const cached = readCache(file);
  if (cached?.key === key) return cached.runtime;
  const runtime = buildCompatRuntime(isolateDir);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ key, runtime }));
  renameSync(temporary, file);
  return runtime;
}

function locate(): { file: string; runtime: CompatRuntime } {
  if (fromSources()) {
    // The repository: bundled into the temporary directory, keyed by the sources, never written under src/.
    const lockfile = resolve(__dirname, '..', '..', '..', '..', 'package-lock.json');
    const key = compatCacheKey(ISOLATE_DIR, lockfile).slice(0, 16);
    const file = join(tmpdir(), `hookline-compat-${key}.json`);
    return { file, runtime: ensureCompatRuntime(ISOLATE_DIR, file, lockfile) };
  }
  const file = join(ISOLATE_DIR, COMPAT_RUNTIME_FILE_NAME);
  const built = readCache(file);
  if (!built) throw new CompatBundlesMissingError(compatMessages.noBundles(file));
  return { file, runtime: built.runtime };
}

/** The isolate-ready sources (globals, require shim, modules). Memoised for the process. */
export function getCompatRuntime(): CompatRuntime {
  return (memo ??= locate()).runtime;
}

/** The path of the bundles file: what a sandbox worker process reads. */
export function compatRuntimeFile(): string {
  return (memo ??= locate()).file;
}
