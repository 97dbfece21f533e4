import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compatMessages } from './compat.messages';
import { CompatBundlesMissingError } from './compat.errors';
import { buildCompatRuntime, isolateDir, type CompatRuntime } from './compat-bundler';
import { COMPAT_MODULES } from './compat-modules';

/** Where generated bundles live (gitignored with the rest of dist/). */
export const COMPAT_CACHE_FILE = join('dist', 'sandbox-compat', 'compat-runtime.json');

let memo: CompatRuntime | undefined;

/** The checkout (or install) root: the nearest folder above this file with Hookline's package.json. */
export function findProjectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'hookline') return dir;
    if (dirname(dir) === dir) throw new Error(`no Hookline package.json above ${from}`);
  }
}

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, path);
    else hash.update(name).update(readFileSync(path));
  }
}

/** Changes whenever the lockfile, the isolate-side sources or the allow-list change. */
export function compatCacheKey(root: string): string | undefined {
  const sources = isolateDir(root);
  if (!existsSync(sources)) return undefined; // an install without sources: trust the built bundles
  const hash = createHash('sha256');
  const lockfile = join(root, 'package-lock.json');
  if (existsSync(lockfile)) hash.update(readFileSync(lockfile));
  hash.update(JSON.stringify(COMPAT_MODULES));
  hash.update(readFileSync(require.resolve('./compat-bundler'))); // its esbuild options
  hashTree(hash, sources);
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
 * The isolate-ready sources: read from dist/sandbox-compat/ when they match the current sources,
 * otherwise bundled now with esbuild and cached there (written atomically: parallel test workers
 * may build at once). Memoised for the process.
 */
export function getCompatRuntime(root: string = findProjectRoot()): CompatRuntime {
  if (memo) return memo;
  const file = join(root, COMPAT_CACHE_FILE);
  const key = compatCacheKey(root);
  const cached = readCache(file);
  if (cached && (key === undefined || cached.key === key)) return (memo = cached.runtime);
  if (key === undefined) throw new CompatBundlesMissingError(compatMessages.noBundles(file));
  const runtime = buildCompatRuntime(root);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ key, runtime }));
  renameSync(temporary, file);
  return (memo = runtime);
}

/**
 * The path of the bundles file, built first when missing or stale: what a sandbox worker process reads
 * (it may run from a bundle in a temporary folder, where this file's own lookup would not work).
 */
export function compatRuntimeFile(root: string = findProjectRoot()): string {
  getCompatRuntime(root);
  return join(root, COMPAT_CACHE_FILE);
}
