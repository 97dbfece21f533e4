import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { countWaiting } from './bullmq-waiting';
import type { DeliveryQueue } from './bullmq.queue';

(process.env.REDIS_URL ? describe : describe.skip)('countWaiting', () => {
  let redis: Redis;
  let queue: DeliveryQueue;

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue(`hl-waiting-${process.pid}`, { connection: redis, prefix: 'hookline-test' }) as unknown as DeliveryQueue;
    await queue.obliterate({ force: true });
    const data = {} as never;
    await queue.addBulk([
      { name: 'acme/webhook/a', data },
      { name: 'acme/webhook/a', data },
      { name: 'acme/hook/b', data },
      { name: 'acme/hook/b', data, opts: { delay: 60_000 } }, // a retry waiting for its time
      { name: 'acme/hook/b', data, opts: { priority: 5 } },
    ]);
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  const byConsumer = (counts: Array<{ consumerId: string; count: number }>) => Object.fromEntries(counts.map((c) => [c.consumerId, c.count]));

  it('counts waiting, delayed and prioritized jobs by consumer', async () => {
    expect(byConsumer(await countWaiting(redis, queue))).toEqual({ 'acme/webhook/a': 2, 'acme/hook/b': 3 });
  });

  it('reads at most `max` jobs and counts the rest as consumer unknown', async () => {
    const counts = await countWaiting(redis, queue, 2);
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(5);
    expect(byConsumer(counts).unknown).toBe(3);
  });
});
