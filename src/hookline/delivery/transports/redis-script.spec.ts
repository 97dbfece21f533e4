import { Redis } from 'ioredis';
import { defineScript } from './redis-script';

(process.env.REDIS_URL ? describe : describe.skip)('defineScript', () => {
  let redis: Redis;
  const key = `hl-script-${process.pid}`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('runs the script with its keys, then its arguments', async () => {
    const incrBy = defineScript(redis, 'hooklineTestIncrBy', "return redis.call('INCRBY', KEYS[1], ARGV[1])", 1);
    await redis.del(key);
    await expect(incrBy(key, 5)).resolves.toBe(5);
    await expect(incrBy(key, 2)).resolves.toBe(7);
  });

  it('runs by SHA: the script is not sent whole with each call', async () => {
    const lua = "return redis.call('GET', KEYS[1])";
    const get = defineScript(redis, 'hooklineTestGet', lua, 1);
    await redis.set(key, 'x');
    await get(key); // loads it, if Redis did not have it
    const sent: string[] = [];
    const monitor = await redis.monitor();
    const seen = new Promise<void>((resolve) =>
      monitor.on('monitor', (_time, args: string[]) => {
        if (args.includes(key)) {
          sent.push(String(args[0]).toLowerCase());
          resolve();
        }
      }),
    );
    await expect(get(key)).resolves.toBe('x');
    await seen;
    monitor.disconnect();
    expect(sent[0]).toBe('evalsha');
  });

  it('is defined once per client: a second definition under the same name reuses the first', async () => {
    const first = defineScript(redis, 'hooklineTestEcho', 'return ARGV[1]', 0);
    const defined = (redis as unknown as Record<string, unknown>).hooklineTestEcho;
    const second = defineScript(redis, 'hooklineTestEcho', 'return ARGV[1]', 0);
    expect((redis as unknown as Record<string, unknown>).hooklineTestEcho).toBe(defined);
    await expect(first('a')).resolves.toBe('a');
    await expect(second('b')).resolves.toBe('b');
  });
});
