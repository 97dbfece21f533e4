import { Redis, type RedisOptions } from 'ioredis';
import { HooklineLogger } from '../../core/logging/hookline.logger';
import { Redactor } from '../../core/logging/redactor';
import type { DeliveryExecutor } from '../executor/delivery.executor';
import { DestinationGuard } from '../executor/destination-guard';
import { MemoryDeliveryLog } from '../records/delivery-log';
import { DeliveryRecords } from '../records/delivery-records';
import { InlineTransport } from './inline.transport';
import { createBullmqConnections, createTransport } from './transport.factory';

const logger = new HooklineLogger(false, new Redactor());

/** What createTransport needs besides the connections: an executor with its guard, records, the logger. */
function depsOf() {
  return { executor: { guard: new DestinationGuard(logger) } as unknown as DeliveryExecutor, records: new DeliveryRecords(new MemoryDeliveryLog()), logger, shutdown: new AbortController() };
}

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL!);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

describe('transport options', () => {
  it('is inline without options, and needs no Redis then', () => {
    expect(createBullmqConnections(undefined, 16, logger)).toBeNull();
    const deps = depsOf();
    expect(createTransport(undefined, null, deps)).toBeInstanceOf(InlineTransport);
  });

  it('names the option and the expected values for an unknown type', () => {
    expect(() => createBullmqConnections({ type: 'kafka' } as never, 16, logger)).toThrow(
      'Invalid HooklineModule option transport.type: expected "inline" or "bullmq", received "kafka".',
    );
  });

  it('validates the bullmq options before connecting', () => {
    expect(() => createBullmqConnections({ type: 'bullmq' } as never, 16, logger)).toThrow(/transport\.url/);
  });

  it('rejects a negative inline keepDead', () => {
    const deps = depsOf();
    expect(() => createTransport({ type: 'inline', keepDead: -1 }, null, deps)).toThrow(/transport\.keepDead: expected an integer >= 0/);
  });
});

(process.env.REDIS_URL ? describe : describe.skip)('bullmq connections', () => {
  it('are connected when the transport has started: a read made at once does not meet a client still connecting', async () => {
    const connections = createBullmqConnections({ type: 'bullmq', url: process.env.REDIS_URL!, prefix: `hl-start-${process.pid}` }, 1, logger)!;
    const deps = depsOf();
    const transport = createTransport({ type: 'bullmq', url: process.env.REDIS_URL! }, connections, deps);
    try {
      await connections.queue.waitUntilReady();
      // The general-purpose client (created on first use) fails fast, with no offline queue: before its
      // first connection a command throws. The queue being ready says nothing of it.
      expect(connections.redis.status).not.toBe('ready');
      await transport.start();
      expect(connections.redis.status).toBe('ready');
      await expect(connections.redis.ping()).resolves.toBe('PONG');
    } finally {
      await transport.close(0);
      await dropKeys(`hl-start-${process.pid}`);
    }
  });

  it('connect a client given lazyConnect options at start, instead of waiting out the start grace for it', async () => {
    const prefix = `hl-start-${process.pid}`;
    const options = { type: 'bullmq' as const, connection: { ...redisOptionsOf(process.env.REDIS_URL!), lazyConnect: true }, prefix };
    const connections = createBullmqConnections(options, 1, logger)!;
    const deps = depsOf();
    const transport = createTransport(options, connections, deps);
    try {
      await connections.queue.waitUntilReady();
      expect(connections.redis.status).toBe('wait');
      await transport.start(); // without connecting it, start waits out its 10 s grace and leaves it 'wait'
      expect(connections.redis.status).toBe('ready');
    } finally {
      await transport.close(0);
      await dropKeys(prefix);
    }
  });
});

/** ioredis options for a `redis://` or `rediss://` URL (the transport's `connection` takes options, not a URL). */
function redisOptionsOf(href: string): RedisOptions {
  const url = new URL(href);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
