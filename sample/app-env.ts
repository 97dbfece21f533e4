import type { LogLevel } from '@nestjs/common';
import type { HooklineAdminModuleOptions, HooklineModuleOptions } from 'hookline';

/** A bad environment variable of the example app: its message is printed alone, and the app exits. */
export class EnvInvalidError extends Error {
  override readonly name = 'EnvInvalidError';
}

/**
 * The transport from the environment: `HOOKLINE_TRANSPORT=inline` (the default) or `bullmq`,
 * which needs `REDIS_URL` (redis://host:port); `HOOKLINE_REDIS_PREFIX` optionally sets the key prefix
 * (instances sharing it share the work). Hookline validates both itself.
 */
export function transportFromEnv(env: NodeJS.ProcessEnv = process.env): HooklineModuleOptions['transport'] {
  const type = env.HOOKLINE_TRANSPORT || 'inline';
  if (type === 'inline') return { type: 'inline' };
  if (type !== 'bullmq') {
    throw new EnvInvalidError(`HOOKLINE_TRANSPORT must be "inline" or "bullmq", received ${JSON.stringify(type)}.`);
  }
  if (!env.REDIS_URL) {
    throw new EnvInvalidError('REDIS_URL is required with HOOKLINE_TRANSPORT=bullmq (for example redis://127.0.0.1:6379).');
  }
  return { type: 'bullmq', url: env.REDIS_URL, prefix: env.HOOKLINE_REDIS_PREFIX || undefined };
}

/**
 * The tenant store from the environment: `HOOKLINE_STORE_URL=postgres://…` turns it on (with
 * `HOOKLINE_SECRETS_KEY`, 32 random bytes in base64, or `HOOKLINE_SECRETS_KEYS`). Optional:
 * `HOOKLINE_STORE_SCHEMA` (default `hookline`) and `HOOKLINE_STORE_ALLOW_PRIVATE_HOSTS`, a comma-separated
 * list of private hosts stored definitions may reach (`127.0.0.1` to try it with a local receiver).
 */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): HooklineModuleOptions['store'] {
  const url = env.HOOKLINE_STORE_URL;
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new EnvInvalidError('HOOKLINE_STORE_URL must be a PostgreSQL URL (for example postgres://postgres@127.0.0.1:5432/postgres).');
  }
  if (!env.HOOKLINE_SECRETS_KEY && !env.HOOKLINE_SECRETS_KEYS) {
    throw new EnvInvalidError('HOOKLINE_STORE_URL needs HOOKLINE_SECRETS_KEY (32 random bytes in base64: openssl rand -base64 32) to encrypt tenant secrets.');
  }
  const allowPrivateHosts = (env.HOOKLINE_STORE_ALLOW_PRIVATE_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return { url, schema: env.HOOKLINE_STORE_SCHEMA || undefined, allowPrivateHosts };
}

/** How the example app prints its logs: `HOOKLINE_LOG_FORMAT=text` (the default) or `json` (one object per line). */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): 'text' | 'json' {
  const format = env.HOOKLINE_LOG_FORMAT || 'text';
  if (format !== 'text' && format !== 'json') {
    throw new EnvInvalidError(`HOOKLINE_LOG_FORMAT must be "text" or "json", received ${JSON.stringify(format)}.`);
  }
  return format;
}

/**
 * The admin API and console, mounted when `HOOKLINE_ADMIN_TOKEN` (one unscoped token) or
 * `HOOKLINE_ADMIN_PATH` (where to serve it, default `hookline`; tokens then come from the config file's
 * `admin.tokens`) is set. Without either, the app serves no admin route at all.
 */
export function adminFromEnv(env: NodeJS.ProcessEnv = process.env): HooklineAdminModuleOptions | undefined {
  const token = env.HOOKLINE_ADMIN_TOKEN || undefined;
  const path = env.HOOKLINE_ADMIN_PATH || undefined;
  if (!token && !path) return undefined;
  return { ...(path ? { path } : {}), ...(token ? { tokens: [token] } : {}) };
}

const LOG_LEVELS = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] as const;

/**
 * The levels the app prints, from `LOG_LEVEL` (the lowest one printed): `log` by default, so that a
 * delivery's success (a debug line per consumer) costs no write; `debug` shows it.
 */
export function logLevelsFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel[] {
  const lowest = env.LOG_LEVEL || 'log';
  const index = LOG_LEVELS.indexOf(lowest as LogLevel & (typeof LOG_LEVELS)[number]);
  if (index < 0) throw new EnvInvalidError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, received ${JSON.stringify(lowest)}.`);
  return LOG_LEVELS.slice(index);
}
