import { Redis } from 'ioredis';
import type { TransportOptions } from 'hookline';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { HooklineTestApp } from './support/hookline-test-app';
import { anEvent, replay, WEBHOOK_SECRET, webhookConfig } from './support/webhook-fixtures';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { until } from './support/until';

const redisUrl = redisUrlOrSkip('transports (bullmq half)');
jest.setTimeout(30_000);

/** Both transports must keep the same promises; bullmq runs only when a Redis is given. */
const transports: [string, (prefix: string) => TransportOptions][] = [['inline', () => ({ type: 'inline' })]];
if (redisUrl) transports.push(['bullmq', (prefix) => ({ type: 'bullmq', url: redisUrl, prefix })]);

describe.each(transports)('the %s transport', (name, transportFor) => {
  let receiver: Receiver;
  let app: HooklineTestApp | undefined;
  let prefix: string;

  beforeEach(async () => {
    receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    prefix = uniquePrefix(name);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await receiver.close();
    if (redisUrl && name === 'bullmq') await deleteKeys(redisUrl, prefix);
  });

  it('delivers an event emitted twice once per consumer', async () => {
    app = await HooklineTestApp.start({ config: webhookConfig(receiver.url, ['crm', 'audit']), transport: transportFor(prefix) });
    const event = anEvent();
    app.app.get(EventEmitter2).emit('user.registered', event);
    app.app.get(EventEmitter2).emit('user.registered', event);
    const first = await app.hookline.publish(event);
    await app.hookline.publish(event);

    await receiver.until(() => receiver.distinct().size === 2, 15_000, 'one delivery per consumer');
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up, were there one
    expect(receiver.requests).toHaveLength(2);
    expect(new Set(receiver.requests.map((a) => a.eventId))).toEqual(new Set([event.id]));
    expect(receiver.distinct()).toEqual(new Set(first.deliveryIds));
  });

  it('replays a dead delivery once its endpoint is fixed', async () => {
    receiver.answer = () => ({ status: 410 }); // permanent: dead at the first attempt
    app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: transportFor(prefix) });
    const event = anEvent();
    const [id] = (await app.hookline.publish(event)).deliveryIds;

    await waitForStatus(app, id, 'dead');
    const dead = (await app.admin(`/hookline/deliveries/${id}`).expect(200)).body;
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, eventId: event.id, consumer: 'acme/webhook/crm' });
    expect(dead.lastError).toMatch(/410/);

    receiver.answer = () => ({ status: 204 });
    const replayed = await replay(app, id).expect(202);
    expect(replayed.body.id).toBe(id);
    await waitForStatus(app, id, 'succeeded');
    expect(receiver.requests.map((a) => a.deliveryId)).toEqual([id, id]);
    expect((await app.admin(`/hookline/deliveries/${id}`)).body).toMatchObject({ status: 'succeeded', attempts: 1 });

    const again = await replay(app, id).expect(409);
    expect(again.body.error).toMatchObject({ code: 'NOT_DEAD', message: expect.stringMatching(/only dead deliveries can be replayed/) });
    await replay(app, 'dlv_nosuchdelivery').expect(404);
  });

  it('retries a 503 no sooner than its Retry-After, with the same delivery id', async () => {
    let calls = 0;
    receiver.answer = () => (++calls === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 204 });
    app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: transportFor(prefix) });
    const [id] = (await app.hookline.publish(anEvent())).deliveryIds;

    await waitForStatus(app, id, 'succeeded');
    const [first, second] = receiver.requests;
    expect(receiver.requests).toHaveLength(2);
    expect(second.deliveryId).toBe(first.deliveryId);
    // The backoff alone would be under 100 ms (initialDelayMs); Retry-After: 1 is a floor.
    expect(second.at - first.at).toBeGreaterThanOrEqual(990);
    expect((await app.hookline.getDelivery(id))?.attempts).toBe(2);
  });

  it('stops at once on a permanent failure, and after maxAttempts on retryable ones', async () => {
    receiver.answer = (a) => ({ status: a.eventId === permanent.id ? 400 : 500 });
    const permanent = anEvent();
    app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: transportFor(prefix) });
    const [permanentId] = (await app.hookline.publish(permanent)).deliveryIds;
    const [retryableId] = (await app.hookline.publish(anEvent())).deliveryIds;

    await waitForStatus(app, permanentId, 'dead');
    await waitForStatus(app, retryableId, 'dead');
    const counts = receiver.counts();
    expect(counts.get(permanentId)).toBe(1);
    expect(counts.get(retryableId)).toBe(3);
    const dead = await app.admin('/hookline/deliveries?status=dead').expect(200);
    expect(dead.body.items.map((r: { id: string }) => r.id).sort()).toEqual([permanentId, retryableId].sort());
  });
});

async function waitForStatus(app: HooklineTestApp, id: string, status: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    last = (await app.hookline.getDelivery(id))?.status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`delivery ${id} is ${last ?? 'unknown'}, not ${status}, after ${timeoutMs} ms`);
}

(redisUrl ? describe : describe.skip)('the bullmq transport in Redis', () => {
  it('stores the event and the consumer id, never a secret of the config', async () => {
    const receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    receiver.answer = (a) => ({ status: a.eventId === failing.id ? 400 : 204 });
    const failing = anEvent();
    const prefix = uniquePrefix('secrets');
    const app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: { type: 'bullmq', url: redisUrl!, prefix } });
    try {
      await app.hookline.publish(anEvent());
      await app.hookline.publish(failing);
      await receiver.until(() => receiver.requests.length === 2, 15_000, 'both deliveries');
      // The failed attempt is written to Redis after its answer arrives: waited for, not assumed.
      let dump = '';
      await until(async () => (dump = await dumpKeys(redisUrl!, prefix)).includes('answered 400'), 10_000, 'the failed attempt stored in Redis');
      expect(dump).toContain(failing.id);
      expect(dump).toContain('acme/webhook/crm');
      expect(dump).toContain('answered 400');
      expect(dump).not.toContain(WEBHOOK_SECRET);
      expect(dump).not.toContain(WEBHOOK_SECRET.slice('whsec_'.length));
    } finally {
      await app.close();
      await receiver.close();
      await deleteKeys(redisUrl!, prefix);
    }
  });
});

(redisUrl ? describe : describe.skip)('the bullmq transport on the host\'s ioredis instance', () => {
  it('delivers through its own duplicates, and leaves the instance open and unchanged', async () => {
    const receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    const prefix = uniquePrefix('instance');
    const host = new Redis(redisUrl!);
    let app: HooklineTestApp | undefined = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: { type: 'bullmq', connection: host, prefix } });
    try {
      await app.hookline.publish(anEvent());
      await receiver.until(() => receiver.requests.length === 1, 15_000, 'the delivery');
      expect(await host.keys(`${prefix}:*`)).not.toEqual([]);
      await app.close();
      app = undefined;
      expect(host.status).toBe('ready');
      expect(host.options.maxRetriesPerRequest).not.toBe(1);
      expect(await host.ping()).toBe('PONG');
    } finally {
      await app?.close();
      await receiver.close();
      await deleteKeys(redisUrl!, prefix);
      host.disconnect();
    }
  });
});

(redisUrl ? describe : describe.skip)('the admin API on the bullmq transport', () => {
  it('lists deliveries from the queue, newest first, page by page, filtered by status and tenant', async () => {
    const receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    const prefix = uniquePrefix('list');
    const app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: { type: 'bullmq', url: redisUrl!, prefix } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(...(await app.hookline.publish(anEvent())).deliveryIds);
        await new Promise((r) => setTimeout(r, 5)); // distinct enqueue times: the order is by millisecond
      }
      await receiver.until(() => receiver.distinct().size === 5, 15_000, '5 deliveries');
      await until(async () => (await app.admin('/hookline/deliveries?status=succeeded')).body.items.length === 5);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/hookline/deliveries?limit=2&tenant=acme${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await app.admin(query).expect(200)).body as { items: { id: string; status: string }[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(2);
        page.items.forEach((item) => expect(item.status).toBe('succeeded'));
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await app.admin('/hookline/deliveries?tenant=globex')).body.items).toEqual([]);
      expect((await app.admin('/hookline/deliveries?status=dead')).body.items).toEqual([]);
      const record = (await app.admin(`/hookline/deliveries/${ids[0]}`).expect(200)).body;
      expect(record).toMatchObject({ status: 'succeeded', attempts: 1, lastError: null, detail: { status: 204 } });
      expect(record.durationMs).toEqual(expect.any(Number));
    } finally {
      await app.close();
      await receiver.close();
      await deleteKeys(redisUrl!, prefix);
    }
  });
});

/** Every string value under a prefix, concatenated. */
async function dumpKeys(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    const parts = await Promise.all(
      keys.map(async (key) => {
        const type = await redis.type(key);
        if (type === 'hash') return JSON.stringify(await redis.hgetall(key));
        if (type === 'string') return (await redis.get(key)) ?? '';
        if (type === 'list') return (await redis.lrange(key, 0, -1)).join(' ');
        if (type === 'zset' || type === 'set') return key;
        if (type === 'stream') return JSON.stringify(await redis.xrange(key, '-', '+'));
        return key;
      }),
    );
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}
