import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import { isRedisInstance, type ResolvedBullmqOptions } from './bullmq.options';
import { RedisOutageLog, type DeliveryQueue } from './bullmq.queue';

type Connection = (RedisOptions & { url?: string }) | Redis | Cluster;

/** A client's states on the way to a connection: `wait` (lazyConnect), connecting, or Redis down at start. */
const WAITS_FOR_CONNECTION = new Set(['wait', 'connecting', 'connect', 'reconnecting']);

/** Reconnects quickly and forever: workers resume by themselves when Redis returns. */
function reconnectDelayMs(times: number): number {
  return Math.min(250 * times, 3_000);
}

/**
 * The Redis side of the bullmq transport, shared by the transport, the delivery log and (through
 * `redis`) anything else that must hold across instances, such as a Redis-backed rate limiter.
 * Creating it starts connecting.
 */
export class BullmqConnections {
  readonly queue: DeliveryQueue;
  readonly outage: RedisOutageLog;
  private client?: Redis | Cluster;
  /** Connections opened from a host's instance: Hookline's to close (BullMQ leaves instances it is given open). */
  private readonly owned: Array<Redis | Cluster> = [];

  constructor(
    readonly options: ResolvedBullmqOptions,
    logger: HooklineLogger,
  ) {
    this.outage = new RedisOutageLog(logger, options.where);
    this.queue = new Queue(options.queueName, {
      connection: this.failFast() as ConnectionOptions,
      prefix: options.prefix,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });
    this.queue.on('error', (error) => this.outage.down(error));
  }

  /** Options of a worker's connections (BullMQ makes their commands wait for a reconnection). */
  workerConnection(): ConnectionOptions {
    return this.connect({ retryStrategy: reconnectDelayMs, maxRetriesPerRequest: null }) as ConnectionOptions;
  }

  /** A general-purpose client on the same Redis, created on first use, failing fast while Redis is down. */
  get redis(): Redis | Cluster {
    if (!this.client) {
      const connection = this.failFast();
      this.client = isRedisInstance(connection) ? connection : connectionFromOptions(connection);
      this.client.on('error', (error) => this.outage.down(error));
    }
    return this.client;
  }

  /**
   * Resolves once the general-purpose client is connected, or can no longer be (closed); at once if it
   * already is. It has no offline queue, so a command sent before then fails. The caller bounds the wait.
   */
  clientReady(): Promise<void> {
    const client = this.redis;
    if (client.status === 'ready' || !WAITS_FOR_CONNECTION.has(client.status)) return Promise.resolve();
    const ready = whenConnected(client);
    // Options with `lazyConnect` leave it waiting for a first command: connect it now (errors go to 'error').
    if (client.status === 'wait') client.connect().catch(() => undefined);
    return ready;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.client?.disconnect();
    for (const connection of this.owned) connection.disconnect();
  }

  /**
   * `enableOfflineQueue: false` and one retry per command make a publish fail at once while Redis is down,
   * instead of waiting in memory, where a crash would lose it.
   */
  private failFast(): Connection {
    return this.connect({ enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: reconnectDelayMs });
  }

  /** Options with these settings, or a duplicate of the host's instance with them (Hookline's own, closed at close()). */
  private connect(settings: RedisOptions): Connection {
    const connection = this.options.connection;
    if (!isRedisInstance(connection)) return { ...connection, ...settings };
    settings = { ...settings, lazyConnect: false };
    const duplicate = connection.isCluster
      ? (connection as Cluster).duplicate(undefined, {
          ...(connection as Cluster).options,
          redisOptions: { ...(connection as Cluster).options.redisOptions, ...settings },
        })
      : (connection as Redis).duplicate(settings);
    this.owned.push(duplicate);
    return duplicate;
  }
}

/** A client from options, as BullMQ makes one: `url` (parsed by ioredis) plus the other options. */
function connectionFromOptions(options: RedisOptions & { url?: string }): Redis {
  const { url, ...rest } = options;
  return url ? new Redis(url, rest) : new Redis(rest);
}

/**
 * Resolves when the client is ready, when it is closed (`end`: it never will be), or after `timeoutMs`;
 * its listeners are removed on every path.
 */
export function whenConnected(client: Redis | Cluster, timeoutMs?: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('end', done);
      resolve();
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
    client.once('ready', done);
    client.once('end', done);
  });
}
