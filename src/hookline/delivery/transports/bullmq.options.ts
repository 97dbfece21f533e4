import type { Telemetry } from 'bullmq';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { z } from 'zod';
import { OptionsInvalidError } from '../../core/errors/options-invalid.error';
import { parseOptions } from '../../core/util/options';

/** Finished jobs kept in Redis: for the admin API, for replay, and as the window of idempotent re-emits. */
export interface RetentionOptions {
  /** Seconds a finished delivery is kept. */
  maxAgeSeconds?: number;
  /** Finished deliveries kept at most (the oldest go first). */
  maxCount?: number;
}

/**
 * Where Redis is, as @nestjs/bullmq takes it: ioredis options, an ioredis instance, or a Cluster.
 * An instance stays yours: Hookline opens its own connections from it (`duplicate()`) and closes only those.
 */
type RedisConnection = RedisOptions | Redis | Cluster;

interface BullmqTransportBase {
  type: 'bullmq';
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
   * or a rate-limit turn, so a micro-batch holds at most this many (a HubSpot batch takes up to 100). Lanes
   * (batches, paced connectors) hold at most this minus `concurrency` (or half of it, if more), leaving
   * worker slots to the rest.
   * @default the larger of 200 and the module's `concurrency`
   */
  workerConcurrency?: number;
  /**
   * Succeeded deliveries kept.
   * @default { maxAgeSeconds: the module's `retention.maxAgeSeconds` (7 days), maxCount: 10000 }
   */
  keepSucceeded?: RetentionOptions;
  /**
   * Dead deliveries kept (they can be replayed while kept).
   * @default { maxAgeSeconds: the module's `retention.maxAgeSeconds` (7 days), maxCount: 10000 }
   */
  keepDead?: RetentionOptions;
  /**
   * BullMQ's own telemetry (its queue and worker spans), passed to its Queue and Worker as is: for
   * example `new BullMQOtel('hookline')` from the `bullmq-otel` package. Hookline's own spans and metrics
   * need no option (docs/observability.md).
   * @default undefined (BullMQ records nothing)
   */
  telemetry?: Telemetry;
}

/** The bullmq transport: Redis given by `connection` (options, an ioredis instance or a Cluster) or by `url`. */
export type BullmqTransportOptions = BullmqTransportBase &
  (
    | { connection: RedisConnection; url?: undefined }
    | {
        /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS (parsed by ioredis). */
        url: string;
        connection?: undefined;
      }
  );

export type ResolvedBullmqOptions = Required<Omit<BullmqTransportBase, 'keepSucceeded' | 'keepDead' | 'workerConcurrency' | 'telemetry'>> & {
  workerConcurrency: number;
  telemetry?: Telemetry;
  keepSucceeded: Required<RetentionOptions>;
  keepDead: Required<RetentionOptions>;
  /** ioredis options (a URL under `url`, as BullMQ takes it) or an instance to duplicate. */
  connection: (RedisOptions & { url?: string }) | Redis | Cluster;
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
  workerConcurrency: 200,
  keepSucceeded: { maxAgeSeconds: 7 * 24 * 3600, maxCount: 10_000 },
  keepDead: { maxAgeSeconds: 7 * 24 * 3600, maxCount: 10_000 },
} as const;

const integer = (min: number) => z.number({ error: `an integer >= ${min}` }).int({ error: `an integer >= ${min}` }).min(min, { error: `an integer >= ${min}` });
const name = z.string({ error: 'letters, digits, "_", "-" or "." (1 to 64)' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'letters, digits, "_", "-" or "." (1 to 64)' });
const retention = z.object(
  { maxAgeSeconds: integer(1).optional(), maxCount: integer(0).optional() },
  { error: 'an object { maxAgeSeconds, maxCount }' },
);
const REDIS_URL = 'a Redis URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)';
const isInstance = (value: unknown): value is Redis | Cluster =>
  !!value && typeof (value as Redis).duplicate === 'function' && typeof (value as Redis).isCluster === 'boolean';

const bullmqSchema = z.object({
  type: z.literal('bullmq'),
  url: z.string({ error: REDIS_URL }).regex(/^rediss?:\/\/[^\s]+$/, { error: REDIS_URL }).optional(),
  connection: z
    .custom<RedisConnection>((v) => isInstance(v) || (!!v && typeof v === 'object' && !Array.isArray(v)), {
      error: 'ioredis options, an ioredis instance or a Cluster',
    })
    .optional(),
  queueName: name.optional(),
  prefix: name.optional(),
  lockDurationMs: integer(1_000).optional(),
  stalledIntervalMs: integer(500).optional(),
  maxStalledCount: integer(0).optional(),
  worker: z.boolean({ error: 'true or false' }).optional(),
  workerConcurrency: integer(1).optional(),
  keepSucceeded: retention.optional(),
  keepDead: retention.optional(),
  telemetry: z
    .custom<Telemetry>((v) => !!v && typeof v === 'object' && !!(v as Telemetry).tracer && !!(v as Telemetry).contextManager, {
      error: 'a BullMQ Telemetry ({ tracer, contextManager }), such as new BullMQOtel(name) from bullmq-otel',
    })
    .optional(),
});

/**
 * Validates the options (each error names the option) and fills the defaults. `retentionSeconds` (the
 * module's `retention.maxAgeSeconds`) is the default age of kept succeeded and dead deliveries.
 */
export function resolveBullmqOptions(options: BullmqTransportOptions, concurrency: number, retentionSeconds?: number): ResolvedBullmqOptions {
  const o = parseOptions(bullmqSchema, options, 'transport');
  if ((o.url === undefined) === (o.connection === undefined)) {
    const expected = `either url (${REDIS_URL}) or connection (ioredis options, an ioredis instance or a Cluster), not both`;
    throw new OptionsInvalidError('transport.url', expected, o.url);
  }
  return {
    type: 'bullmq',
    connection: o.url !== undefined ? { url: o.url } : o.connection!,
    where: o.url !== undefined ? whereOfUrl(o.url) : whereOf(o.connection!),
    queueName: o.queueName ?? BULLMQ_DEFAULTS.queueName,
    prefix: o.prefix ?? BULLMQ_DEFAULTS.prefix,
    lockDurationMs: o.lockDurationMs ?? BULLMQ_DEFAULTS.lockDurationMs,
    stalledIntervalMs: o.stalledIntervalMs ?? BULLMQ_DEFAULTS.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount ?? BULLMQ_DEFAULTS.maxStalledCount,
    worker: o.worker ?? BULLMQ_DEFAULTS.worker,
    workerConcurrency: o.workerConcurrency ?? Math.max(concurrency, BULLMQ_DEFAULTS.workerConcurrency),
    keepSucceeded: { ...BULLMQ_DEFAULTS.keepSucceeded, ...age(retentionSeconds), ...o.keepSucceeded },
    keepDead: { ...BULLMQ_DEFAULTS.keepDead, ...age(retentionSeconds), ...o.keepDead },
    ...(o.telemetry ? { telemetry: o.telemetry } : {}),
  };
}

function age(seconds: number | undefined): { maxAgeSeconds?: number } {
  return seconds === undefined ? {} : { maxAgeSeconds: seconds };
}

/** `host:port/db` of a URL, for messages: never its user or password. */
function whereOfUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || 6379}/${parsed.pathname.replace(/^\//, '') || 0}`;
  } catch {
    return 'an unparsable URL';
  }
}

function whereOf(connection: RedisConnection): string {
  if (isInstance(connection)) {
    if (connection.isCluster) return 'a Redis Cluster';
    const { host, port, db, path } = (connection as Redis).options;
    return path ?? `${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0}`;
  }
  const { host, port, db, path } = connection as RedisOptions;
  return path ?? `${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0}`;
}

/** True for an ioredis instance (Redis or Cluster), whichever copy of ioredis created it. */
export { isInstance as isRedisInstance };
