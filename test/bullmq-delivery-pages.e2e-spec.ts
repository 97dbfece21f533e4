import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createUserRegisteredEvent, type DeliveryRecord } from 'hookline';
import { HooklineTestApp } from './support/hookline-test-app';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';

const redisUrl = redisUrlOrSkip('bullmq: delivery listing and its cursor');
jest.setTimeout(120_000);

/** The noisy tenant's deliveries: 700 events to 3 consumers. */
const NOISY = 2_100;

/**
 * The bullmq delivery log lists from its own index in Redis: a quiet tenant's deliveries, older than
 * thousands of a noisy tenant's, are found; paging through everything returns each delivery exactly once.
 */
(redisUrl ? describe : describe.skip)('bullmq delivery log: listing and cursors', () => {
  const prefix = uniquePrefix('pages');
  let app: HooklineTestApp;
  const quietIds: string[] = [];

  // Three destinations (ports never contacted), each taking up to 1,000 at once: every delivery is queued as
  // waiting, none held back delayed, so the quiet tenant's are behind all of the noisy tenant's in one state.
  const webhook = (name: string, port: number) => ({ type: 'webhook', name, url: `http://127.0.0.1:${port}/unused`, secret: WEBHOOK_SECRET, maxInFlight: 1_000 });
  const publish = (tenant: string, n: number) =>
    app.hookline.publish(createUserRegisteredEvent({ tenant, id: `${tenant}-${n}`, user: { id: `${tenant}-user-${n}`, email: `${tenant}${n}@example.com` } }));

  beforeAll(async () => {
    // No worker: every delivery stays waiting, as a backlog does, so none leaves the listing by finishing.
    app = await HooklineTestApp.start({
      config: { tenants: { quiet: { connectors: [webhook('crm', 9)] }, noisy: { connectors: [webhook('a', 9), webhook('b', 10), webhook('c', 11)] } } },
      transport: { type: 'bullmq', url: redisUrl!, prefix, worker: false },
    });
    for (let n = 0; n < 3; n++) quietIds.push(...(await publish('quiet', n)).deliveryIds);
    await new Promise((r) => setTimeout(r, 5)); // the noisy tenant's deliveries are all newer
    for (let n = 0; n < NOISY / 3; n += 50) await Promise.all(Array.from({ length: 50 }, (_, i) => publish('noisy', n + i)));
  });
  afterAll(async () => {
    await app?.close();
    await deleteKeys(redisUrl!, prefix);
  });

  it(`finds the quiet tenant's 3 deliveries behind ${NOISY} newer ones of another tenant`, async () => {
    const quiet = await app.deliveries('?tenant=quiet');
    expect(quiet.map((d) => d.id).sort()).toEqual([...quietIds].sort());
    expect(quiet.every((d) => d.tenant === 'quiet' && d.status === 'pending')).toBe(true);
    expect((await app.deliveries('?consumer=quiet/webhook/crm')).map((d) => d.id).sort()).toEqual([...quietIds].sort());
    expect(await app.deliveries('?tenant=quiet&status=pending')).toHaveLength(3);
    // A status no delivery has: every entry is examined (within one page's budget), none returned, no next page.
    const dead = await app.admin('/hookline/deliveries?status=dead').expect(200);
    expect(dead.body).toEqual({ items: [], nextCursor: null });
    // And by event id, across every tenant's deliveries.
    expect((await app.deliveries('?eventId=quiet-1')).map((d) => d.eventId)).toEqual(['quiet-1']);
  });

  it('pages through every delivery exactly once, newest first, with an opaque cursor', async () => {
    const seen: DeliveryRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: DeliveryRecord[]; nextCursor: string | null } } = await app.admin(`/hookline/deliveries?limit=500${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toHaveLength(NOISY + 3);
    expect(new Set(seen.map((d) => d.id)).size).toBe(NOISY + 3);
    const created = seen.map((d) => Date.parse(d.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(seen.slice(-3).map((d) => d.tenant)).toEqual(['quiet', 'quiet', 'quiet']);
    // A cursor that no page gave is refused, not read as the first page.
    const forged = await app.admin(`/hookline/deliveries?cursor=${Buffer.from('tampered').toString('base64url')}`).expect(400);
    expect(forged.body.error.code).toBe('INVALID_CURSOR');
  });

  it('pages through one tenant, small pages, without a repeat or a gap', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await app.hookline.listDeliveries({ tenant: 'noisy', limit: 97, cursor });
      ids.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toHaveLength(NOISY);
    expect(new Set(ids).size).toBe(NOISY);
  });

  it("keeps a scoped listing to the scope's tenants", async () => {
    const page = await app.hookline.listDeliveries({ tenants: ['quiet'], limit: 500 });
    expect(page.items.map((d) => d.id).sort()).toEqual([...quietIds].sort());
    expect(page.nextCursor).toBeNull();
  });
});

(redisUrl ? describe : describe.skip)('bullmq delivery log: jobs queued before the index existed', () => {
  const prefix = uniquePrefix('backfill');
  let app: HooklineTestApp | undefined;
  afterAll(async () => {
    await app?.close();
    await deleteKeys(redisUrl!, prefix);
  });

  it('indexes them on first use: listed, and erasable', async () => {
    // Jobs as an earlier version queued them: in the queue, not in the index.
    const queue = new Queue('hookline-deliveries', { connection: { url: redisUrl! }, prefix });
    const event = (n: number) => createUserRegisteredEvent({ tenant: 'quiet', id: `old-${n}`, user: { id: `old-user-${n}`, email: `old${n}@example.com` } });
    await queue.addBulk([0, 1, 2].map((n) => ({ name: 'quiet/webhook/crm', data: { consumerId: 'quiet/webhook/crm', kind: 'connector', event: event(n) }, opts: { jobId: `dlv_old_${n}` } })));
    await queue.close();

    app = await HooklineTestApp.start({
      config: { tenants: { quiet: { connectors: [{ type: 'webhook', name: 'crm', url: 'http://127.0.0.1:9/unused', secret: WEBHOOK_SECRET }] } } },
      transport: { type: 'bullmq', url: redisUrl!, prefix, worker: false },
    });
    expect((await app.deliveries('?tenant=quiet')).map((d) => d.id).sort()).toEqual(['dlv_old_0', 'dlv_old_1', 'dlv_old_2']);
    expect(await app.hookline.eraseUserData('old-user-1')).toEqual({ erased: 1 });
    expect((await app.deliveries()).map((d) => d.id).sort()).toEqual(['dlv_old_0', 'dlv_old_2']);
  });

  it('sweeps index entries whose job retention removed, at the next publish', async () => {
    const base = `${prefix}:hookline-deliveries:hl`;
    const member = `${String(Date.now() - 3_600_000).padStart(15, '0')}:dlv_removed`;
    const redis = new Redis(redisUrl!);
    try {
      // An entry an hour old whose job is gone, as retention leaves it.
      await redis.hset(`${base}:ids`, 'dlv_removed', `${member}\nquiet\nquiet/webhook/crm\n${'0'.repeat(32)}`);
      await redis.zadd(`${base}:idx`, 0, member);
      await redis.zadd(`${base}:idx:t:quiet`, 0, member);
      await app!.hookline.publish(createUserRegisteredEvent({ tenant: 'quiet', id: 'new-0', user: { id: 'new-user' } }));
      const deadline = Date.now() + 5_000;
      while ((await redis.hexists(`${base}:ids`, 'dlv_removed')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await redis.hexists(`${base}:ids`, 'dlv_removed')).toBe(0);
      expect(await redis.zscore(`${base}:idx`, member)).toBeNull();
      expect(await redis.zscore(`${base}:idx:t:quiet`, member)).toBeNull();
      expect(await redis.hexists(`${base}:ids`, 'dlv_old_0')).toBe(1); // a kept job stays indexed
    } finally {
      redis.disconnect();
    }
  });
});
