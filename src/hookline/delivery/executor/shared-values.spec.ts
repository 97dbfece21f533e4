import { Redis } from 'ioredis';
import { MemorySharedValues, RedisSharedValues } from './shared-values';

describe('MemorySharedValues', () => {
  it('loads once for concurrent callers and reuses the value until it is due', async () => {
    const shared = new MemorySharedValues();
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, expiresAt: Date.now() + 60_000 });
    const got = await Promise.all(Array.from({ length: 5 }, () => shared.get('k', load, { refreshBeforeMs: 1_000 })));
    expect(got.map((g) => g.value)).toEqual(Array(5).fill('v1'));
    expect((await shared.get('k', load, { refreshBeforeMs: 1_000 })).value).toBe('v1');
    // Within refreshBeforeMs of its expiry, the next call loads again.
    expect((await shared.get('k', load, { refreshBeforeMs: 120_000 })).value).toBe('v2');
  });

  it('drops a value only while it is still the one refused', async () => {
    const shared = new MemorySharedValues();
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, expiresAt: Date.now() + 60_000 });
    await shared.get('k', load, { refreshBeforeMs: 0 });
    await shared.drop('k', 'something-else');
    expect((await shared.get('k', load, { refreshBeforeMs: 0 })).value).toBe('v1');
    await shared.drop('k', 'v1');
    expect((await shared.get('k', load, { refreshBeforeMs: 0 })).value).toBe('v2');
  });

  it('lets the next caller load again after a failed load', async () => {
    const shared = new MemorySharedValues();
    await expect(shared.get('k', () => Promise.reject(new Error('refused')), { refreshBeforeMs: 0 })).rejects.toThrow('refused');
    expect((await shared.get('k', async () => ({ value: 'ok', expiresAt: Date.now() + 1_000 }), { refreshBeforeMs: 0 })).value).toBe('ok');
  });
});

(process.env.REDIS_URL ? describe : describe.skip)('RedisSharedValues', () => {
  const prefix = `hl-shared-${process.pid}`;
  const clients: Redis[] = [];
  const instance = () => {
    const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    return { redis, shared: new RedisSharedValues(redis, prefix) };
  };

  afterAll(async () => {
    const keys = await clients[0].keys(`${prefix}:*`);
    if (keys.length) await clients[0].del(...keys);
    clients.forEach((c) => c.disconnect());
  });

  it('loads once across instances, and frees its lock after the load', async () => {
    const [a, b] = [instance(), instance()];
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { value: `token-${loads}`, expiresAt: Date.now() + 60_000 };
    };
    const got = await Promise.all([a.shared.get('oauth', load, { refreshBeforeMs: 1_000 }), b.shared.get('oauth', load, { refreshBeforeMs: 1_000 })]);
    expect(loads).toBe(1);
    expect(got.map((g) => g.value)).toEqual(['token-1', 'token-1']);
    expect(await a.redis.keys(`${prefix}:*lock*`)).toEqual([]);
  });

  it('drops the stored value only while it is still the one refused', async () => {
    const a = instance();
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, expiresAt: Date.now() + 60_000 });
    await a.shared.get('k', load, { refreshBeforeMs: 0 });
    await a.shared.drop('k', 'another value');
    // A new instance (nothing held in its memory) reads what Redis kept.
    expect((await instance().shared.get('k', load, { refreshBeforeMs: 0 })).value).toBe('v1');
    await a.shared.drop('k', 'v1');
    expect((await instance().shared.get('k', load, { refreshBeforeMs: 0 })).value).toBe('v2');
  });
});
