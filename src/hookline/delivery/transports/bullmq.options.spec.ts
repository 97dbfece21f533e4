import { OptionsInvalidError } from '../../core/errors/options-invalid.error';
import { Cluster, Redis } from 'ioredis';
import { BULLMQ_DEFAULTS, resolveBullmqOptions, type BullmqTransportOptions } from './bullmq.options';

describe('the Redis connection', () => {
  const resolve = (transport: object) => resolveBullmqOptions({ type: 'bullmq', ...transport } as BullmqTransportOptions, 16);

  it.each([
    ['redis://127.0.0.1:6379', '127.0.0.1:6379/0'],
    ['redis://cache.internal', 'cache.internal:6379/0'],
    ['redis://:s3cret@cache:6380/2', 'cache:6380/2'],
    ['rediss://app:p%40ss@cache:6379', 'cache:6379/0'],
  ])('keeps the URL %s for ioredis to parse, and names it %s in messages (no password)', (url, where) => {
    const resolved = resolve({ url });
    expect(resolved.connection).toEqual({ url });
    expect(resolved.where).toBe(where);
  });

  it("keeps finished jobs 7 days by default, the module's retention when given, and keepSucceeded/keepDead's own age first", () => {
    const url = 'redis://127.0.0.1:6379';
    expect(resolve({ url })).toMatchObject({ keepSucceeded: { maxAgeSeconds: 604_800, maxCount: 10_000 }, keepDead: { maxAgeSeconds: 604_800 } });
    const withRetention = (transport: object) => resolveBullmqOptions({ type: 'bullmq', url, ...transport } as BullmqTransportOptions, 16, 3_600);
    expect(withRetention({})).toMatchObject({ keepSucceeded: { maxAgeSeconds: 3_600 }, keepDead: { maxAgeSeconds: 3_600 } });
    expect(withRetention({ keepDead: { maxAgeSeconds: 60 } })).toMatchObject({ keepSucceeded: { maxAgeSeconds: 3_600 }, keepDead: { maxAgeSeconds: 60, maxCount: 10_000 } });
  });

  it('takes ioredis options, an ioredis instance or a Cluster', () => {
    expect(resolve({ connection: { host: 'cache', port: 6380, db: 3 } })).toMatchObject({ connection: { host: 'cache', port: 6380 }, where: 'cache:6380/3' });
    const redis = new Redis({ host: 'cache', port: 6381, lazyConnect: true });
    const cluster = new Cluster([{ host: 'cache', port: 7000 }], { lazyConnect: true });
    try {
      expect(resolve({ connection: redis })).toMatchObject({ connection: redis, where: 'cache:6381/0' });
      expect(resolve({ connection: cluster })).toMatchObject({ connection: cluster, where: 'a Redis Cluster' });
    } finally {
      redis.disconnect();
      cluster.disconnect();
    }
  });

  it.each([
    [{}, /transport\.url: expected either url \(a Redis URL such as redis:\/\/127\.0\.0\.1:6379.*\) or connection/],
    [{ url: 'redis://a', connection: {} }, /transport\.url: expected either url .* not both/],
    [{ url: 'http://cache:6379' }, /transport\.url: expected a Redis URL/],
    [{ url: 'not a url' }, /transport\.url: expected a Redis URL/],
    [{ connection: 'redis://cache' }, /transport\.connection: expected ioredis options, an ioredis instance or a Cluster/],
  ])('rejects %j with a message naming the option', (transport, message) => {
    expect(() => resolve(transport)).toThrow(OptionsInvalidError);
    expect(() => resolve(transport)).toThrow(message);
  });

  it('never repeats a password in its error', () => {
    expect(() => resolve({ url: 'http://user:hunter22@cache' })).toThrow(OptionsInvalidError);
    expect(() => resolve({ url: 'http://user:hunter22@cache' })).not.toThrow(/hunter22/);
  });
});

describe('resolveBullmqOptions', () => {
  const url = 'redis://127.0.0.1:6379';

  it('fills the defaults; jobs held per instance never fewer than the requests in flight', () => {
    const resolved = resolveBullmqOptions({ type: 'bullmq', url }, 16);
    expect(resolved).toMatchObject({ ...BULLMQ_DEFAULTS, workerConcurrency: 200 });
    expect(resolveBullmqOptions({ type: 'bullmq', url }, 250).workerConcurrency).toBe(250);
    // A killed instance's deliveries run again within lock + stalled interval: the promise is 30 s.
    expect(resolved.lockDurationMs + resolved.stalledIntervalMs).toBeLessThanOrEqual(30_000);
  });

  it('passes BullMQ\'s own telemetry through as is', () => {
    const telemetry = { tracer: { startSpan: () => ({}) }, contextManager: { with: () => undefined, active: () => ({}) } } as never;
    expect(resolveBullmqOptions({ type: 'bullmq', url, telemetry }, 16).telemetry).toBe(telemetry);
    expect(resolveBullmqOptions({ type: 'bullmq', url }, 16)).not.toHaveProperty('telemetry');
  });

  it.each([
    [{ lockDurationMs: 10 }, /transport\.lockDurationMs: expected an integer >= 1000, received number 10/],
    [{ stalledIntervalMs: 1.5 }, /transport\.stalledIntervalMs: expected an integer >= 500/],
    [{ workerConcurrency: 0 }, /transport\.workerConcurrency: expected an integer >= 1/],
    [{ prefix: 'a:b' }, /transport\.prefix: expected letters, digits/],
    [{ queueName: '' }, /transport\.queueName: expected letters, digits/],
    [{ keepDead: { maxCount: -1 } }, /transport\.keepDead\.maxCount: expected an integer >= 0/],
    [{ keepSucceeded: 'forever' }, /transport\.keepSucceeded: expected an object/],
    [{ worker: 'yes' }, /transport\.worker: expected true or false/],
    [{ telemetry: { tracer: {} } }, /transport\.telemetry: expected a BullMQ Telemetry \(\{ tracer, contextManager \}\)/],
  ])('rejects %j', (bad, message) => {
    expect(() => resolveBullmqOptions({ type: 'bullmq', url, ...(bad as object) }, 16)).toThrow(message);
  });
});
