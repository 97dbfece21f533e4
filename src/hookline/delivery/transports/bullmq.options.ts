import type { RedisOptions } from 'ioredis';
import { OptionsInvalidError } from '../../core/errors/options-invalid.error';

/** Finished jobs kept in Redis: for the admin API, for replay, and as the window of idempotent re-emits. */
export interface RetentionOptions {
  /** Seconds a finished delivery is kept. */
  maxAgeSeconds?: number;
  /** Finished deliveries kept at most (the oldest go first). */
  maxCount?: number;
}

export interface BullmqTransportOptions {
  type: 'bullmq';
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /**
   * Name of the BullMQ queue. Instances sharing it (and `prefix`) share the work.
   * @default 'hookline-deliveries'
   */
  queueName?: string;
  /**
   * Prefix of every Redis key.
   * @default 'hookline'
   */
  prefix?: string;
  /**
   * How long a worker's lock on a running delivery lasts; it is renewed every half of it while the
   * delivery runs, so deliveries may take longer. A killed instance's deliveries run again at most
   * `lockDurationMs + stalledIntervalMs` later.
   * @default 15000
   */
  lockDurationMs?: number;
  /**
   * How often each instance looks for deliveries whose worker died.
   * @default 5000
   */
  stalledIntervalMs?: number;
  /**
   * Times a delivery may be recovered from a dead worker before it is failed (a poison job that kills
   * every worker running it must stop somewhere).
   * @default 3
   */
  maxStalledCount?: number;
  /**
   * Run deliveries in this instance. `false` for an instance that only publishes.
   * @default true
   */
  worker?: boolean;
  /**
   * Jobs this instance takes from Redis at once (BullMQ's worker concurrency). Requests in flight stay
   * bounded by the module's `concurrency`; the other jobs wait in the instance for a request slot, a batch
   * or a rate-limit turn, so a micro-batch holds at most this many (a HubSpot batch takes up to 100).
   * @default the larger of 100 and the module's `concurrency`
   */
  workerConcurrency?: number;
  /**
   * Succeeded deliveries kept.
   * @default { maxAgeSeconds: 86400, maxCount: 10000 }
   */
  keepSucceeded?: RetentionOptions;
  /**
   * Dead deliveries kept (they can be replayed while kept).
   * @default { maxAgeSeconds: 604800, maxCount: 10000 }
   */
  keepDead?: RetentionOptions;
}

export type ResolvedBullmqOptions = Required<
  Omit<BullmqTransportOptions, 'url' | 'keepSucceeded' | 'keepDead' | 'workerConcurrency'>
> & {
  workerConcurrency: number;
  keepSucceeded: Required<RetentionOptions>;
  keepDead: Required<RetentionOptions>;
  connection: RedisOptions;
  /** `host:port/db`, for messages: never the password. */
  where: string;
};

export const BULLMQ_DEFAULTS = {
  queueName: 'hookline-deliveries',
  prefix: 'hookline',
  lockDurationMs: 15_000,
  stalledIntervalMs: 5_000,
  maxStalledCount: 3,
  worker: true,
  workerConcurrency: 100,
  keepSucceeded: { maxAgeSeconds: 24 * 3600, maxCount: 10_000 },
  keepDead: { maxAgeSeconds: 7 * 24 * 3600, maxCount: 10_000 },
} as const;

/** Validates the options (each error names the option) and turns the URL into ioredis options. */
export function resolveBullmqOptions(options: BullmqTransportOptions, concurrency: number): ResolvedBullmqOptions {
  const { connection, where } = parseRedisUrl(options.url);
  const name = /^[A-Za-z0-9_.-]{1,64}$/;
  return {
    type: 'bullmq',
    connection,
    where,
    queueName: matching('transport.queueName', options.queueName, name, BULLMQ_DEFAULTS.queueName),
    prefix: matching('transport.prefix', options.prefix, name, BULLMQ_DEFAULTS.prefix),
    lockDurationMs: integer('transport.lockDurationMs', options.lockDurationMs, 1_000, BULLMQ_DEFAULTS.lockDurationMs),
    stalledIntervalMs: integer('transport.stalledIntervalMs', options.stalledIntervalMs, 500, BULLMQ_DEFAULTS.stalledIntervalMs),
    maxStalledCount: integer('transport.maxStalledCount', options.maxStalledCount, 0, BULLMQ_DEFAULTS.maxStalledCount),
    worker: boolean('transport.worker', options.worker, BULLMQ_DEFAULTS.worker),
    workerConcurrency: integer(
      'transport.workerConcurrency',
      options.workerConcurrency,
      1,
      Math.max(concurrency, BULLMQ_DEFAULTS.workerConcurrency),
    ),
    keepSucceeded: retention('transport.keepSucceeded', options.keepSucceeded, BULLMQ_DEFAULTS.keepSucceeded),
    keepDead: retention('transport.keepDead', options.keepDead, BULLMQ_DEFAULTS.keepDead),
  };
}

/** Parses `redis://` / `rediss://` URLs; the password stays out of `where`. */
export function parseRedisUrl(url: unknown): { connection: RedisOptions; where: string } {
  const expected = 'a Redis URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)';
  if (typeof url !== 'string' || url === '') throw new OptionsInvalidError('transport.url', expected, url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OptionsInvalidError('transport.url', expected, redactUrl(url));
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new OptionsInvalidError('transport.url', expected, redactUrl(url));
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) {
    throw new OptionsInvalidError('transport.url', 'a database number (0-99) as the URL path', db);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : 6379;
  const connection: RedisOptions = {
    host,
    port,
    db: db === '' ? 0 : Number(db),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  return { connection, where: `${host}:${port}/${connection.db}` };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function integer(option: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new OptionsInvalidError(option, `an integer >= ${min}`, value);
  return value;
}

function boolean(option: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new OptionsInvalidError(option, 'true or false', value);
  return value;
}

function matching(option: string, value: string | undefined, pattern: RegExp, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new OptionsInvalidError(option, 'letters, digits, "_", "-" or "." (1 to 64)', value);
  }
  return value;
}

function retention(
  option: string,
  value: RetentionOptions | undefined,
  fallback: Required<RetentionOptions>,
): Required<RetentionOptions> {
  if (value === undefined) return { ...fallback };
  if (!value || typeof value !== 'object') throw new OptionsInvalidError(option, 'an object { maxAgeSeconds, maxCount }', value);
  return {
    maxAgeSeconds: integer(`${option}.maxAgeSeconds`, value.maxAgeSeconds, 1, fallback.maxAgeSeconds),
    maxCount: integer(`${option}.maxCount`, value.maxCount, 0, fallback.maxCount),
  };
}
