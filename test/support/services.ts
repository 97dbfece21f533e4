import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Suites that need an outside service (Redis, PostgreSQL, Chromium) ask for it here, at load time:
 *
 * ```ts
 * const redisUrl = redisUrlOrSkip('bullmq: publish durability');
 * (redisUrl ? describe : describe.skip)('…', () => { … });
 * ```
 *
 * When the service answers, its address comes back. When it does not, one line says which suite is
 * skipped and how to run it, so a newcomer's `npm test` passes; with `CI=true` a missing service fails
 * the suite instead (CI must never go green by skipping).
 */

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Redis from `REDIS_URL` (default redis://127.0.0.1:6379) if it answers. */
export function redisUrlOrSkip(suite: string): string | undefined {
  const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  return answers(url, 6379) ? url : absent(suite, `Redis is not answering at ${redact(url)}`, 'start redis-server or set REDIS_URL');
}

/** PostgreSQL from `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres) if it answers. */
export function postgresUrlOrSkip(suite: string): string | undefined {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  return answers(url, 5432) ? url : absent(suite, `PostgreSQL is not answering at ${redact(url)}`, 'start PostgreSQL or set DATABASE_URL');
}

const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** A Chromium executable: `CHROMIUM_PATH` if set, else the first of chromium/google-chrome on PATH. */
export function chromiumPathOrSkip(suite: string): string | undefined {
  const given = process.env.CHROMIUM_PATH;
  const found = given ? (executable(given) ? given : undefined) : onPath(CHROMIUM_NAMES);
  if (found) return found;
  const why = given ? `CHROMIUM_PATH=${given} is not an executable` : `no ${CHROMIUM_NAMES.join('/')} on PATH`;
  return absent(suite, why, 'install Chromium or set CHROMIUM_PATH');
}

/** True when CI=true (or 1): a missing service is then an error, never a skip. */
export function inCi(): boolean {
  return /^(true|1)$/i.test(process.env.CI ?? '');
}

function absent(suite: string, why: string, hint: string): undefined {
  if (inCi()) throw new Error(`"${suite}" cannot run: ${why}. CI=true, so this fails instead of skipping.`);
  process.stderr.write(`SKIPPED "${suite}": ${why} (${hint}; CI runs it)\n`);
  return undefined;
}

/**
 * Whether something accepts TCP connections at the URL's host and port. Synchronous, because Jest
 * decides `describe` or `describe.skip` while it loads the file: a short-lived node process probes.
 */
function answers(url: string, defaultPort: number): boolean {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    port = Number(parsed.port || defaultPort);
  } catch {
    throw new Error(`service URL "${redact(url)}" is not a valid URL (expected e.g. ${DEFAULT_REDIS_URL})`);
  }
  const probe = `const s=require('net').connect(${port},${JSON.stringify(host)});s.setTimeout(1500);s.on('connect',()=>process.exit(0));s.on('timeout',()=>process.exit(1));s.on('error',()=>process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore', timeout: 5_000 }).status === 0;
}

function onPath(names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
