import { Queue, type RedisOptions as BullmqRedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { ResolvedBullmqOptions } from './bullmq.options';
import { RedisOutageLog, type DeliveryQueue } from './bullmq.queue';

/** Reconnects quickly and forever: workers resume by themselves when Redis returns. */
export function reconnectDelayMs(times: number): number {
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
  private client?: Redis;

  constructor(
    readonly options: ResolvedBullmqOptions,
    logger: HooklineLogger,
  ) {
    this.outage = new RedisOutageLog(logger, options.where);
    this.queue = new Queue(options.queueName, { connection: this.failFast(), prefix: options.prefix });
    this.queue.on('error', (error) => this.outage.down(error));
  }

  /** Options of a worker's connections (BullMQ makes their commands wait for a reconnection). */
  workerConnection(): BullmqRedisOptions {
    return { ...this.options.connection, retryStrategy: reconnectDelayMs };
  }

  /** A general-purpose client on the same Redis, created on first use, failing fast while Redis is down. */
  get redis(): Redis {
    if (!this.client) {
      this.client = new Redis(this.failFast());
      this.client.on('error', (error) => this.outage.down(error));
    }
    return this.client;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.client?.disconnect();
  }

  /**
   * `enableOfflineQueue: false` and one retry per command make a publish fail at once while Redis is down,
   * instead of waiting in memory, where a crash would lose it.
   */
  private failFast(): BullmqRedisOptions {
    return { ...this.options.connection, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: reconnectDelayMs };
  }
}
