import { Redis } from 'ioredis';
import request from 'supertest';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ADMIN_ACTION_EVENT, createUserRegisteredEvent, type AdminActionEvent, type DeliveryRecord, type TransportOptions } from 'hookline';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';
import { HubSpotFake } from './fakes/hubspot.fake';

const redisUrl = redisUrlOrSkip('admin erasure (bullmq half)');
jest.setTimeout(60_000);

const GLOBEX_TOKEN = 'globex-support-token';
const ADA = { id: 'auth0|ada', email: 'ada.lovelace@example.com' };
const BOB = { id: 'auth0|bob', email: 'bob.builder@example.com' };

const transports: [string, (prefix: string) => TransportOptions][] = [['inline', () => ({ type: 'inline' })]];
if (redisUrl) transports.push(['bullmq', (prefix) => ({ type: 'bullmq', url: redisUrl, prefix })]);

/** `DELETE /hookline/users/:userId/data`. */
function eraseUser(app: HooklineTestApp, userId: string, token = ADMIN_TOKEN): request.Test {
  return request(app.app.getHttpServer()).delete(`/hookline/users/${encodeURIComponent(userId)}/data`).set('authorization', `Bearer ${token}`);
}

/** Every value stored under the prefix, whatever its type, as text. */
async function dumpRedis(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url);
  const out: string[] = [];
  try {
    for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          const value =
            type === 'string' ? await redis.get(key)
            : type === 'hash' ? await redis.hgetall(key)
            : type === 'list' ? await redis.lrange(key, 0, -1)
            : type === 'set' ? await redis.smembers(key)
            : type === 'zset' ? await redis.zrange(key, 0, -1)
            : type === 'stream' ? await redis.xrange(key, '-', '+')
            : `(unread type ${type})`;
          out.push(`${key} ${JSON.stringify(value)}`);
        }
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return out.join('\n');
}

/**
 * `DELETE <path>/users/:userId/data`: a user's deliveries — succeeded, waiting for a retry, dead — are
 * erased from the delivery log and the transport (Redis with bullmq); nothing of them is sent again.
 */
describe.each(transports)('admin API: erasing a user on the %s transport', (name, transportFor) => {
  let receiver: Receiver;
  let app: HooklineTestApp;
  const prefix = uniquePrefix(`erase-${name}`);
  const eventIds = { ada: `evt-ada-${name}`, bob: `evt-bob-${name}` };

  const erase = (userId: string, token = ADMIN_TOKEN) => eraseUser(app, userId, token);
  const recordsOf = async (eventId: string): Promise<DeliveryRecord[]> => (await app.hookline.listDeliveries({ eventId, limit: 500 })).items;
  const sentFor = (eventId: string) => receiver.requests.filter((r) => r.eventId === eventId).length;

  beforeAll(async () => {
    receiver = await Receiver.start({
      answer: (r) => (r.path === '/down' ? { status: 503 } : r.path === '/gone' ? { status: 410 } : { status: 204 }),
    });
    const webhook = (hook: string, retry = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }) => ({
      type: 'webhook', name: hook, url: `${receiver.url}/${hook}`, secret: WEBHOOK_SECRET, retry,
    });
    app = await HooklineTestApp.start({
      config: {
        tenants: {
          // `down` retries every 1.5 s: a delivery waiting for its retry when the user is erased.
          acme: { connectors: [webhook('ok'), webhook('down', { maxAttempts: 20, initialDelayMs: 1_500, maxDelayMs: 1_500 }), webhook('gone')] },
          globex: {},
        },
      },
      transport: transportFor(prefix),
      admin: { tokens: [ADMIN_TOKEN, { token: GLOBEX_TOKEN, tenants: ['globex'] }] },
    });
    for (const [user, id] of [[ADA, eventIds.ada], [BOB, eventIds.bob]] as const) {
      await app.hookline.publish(createUserRegisteredEvent({ tenant: 'acme', id, user }));
    }
    const settled = (records: DeliveryRecord[]) =>
      records.length === 3 &&
      records.some((r) => r.consumer === 'acme/webhook/ok' && r.status === 'succeeded') &&
      records.some((r) => r.consumer === 'acme/webhook/gone' && r.status === 'dead') &&
      records.some((r) => r.consumer === 'acme/webhook/down' && r.status === 'failed' && r.attempts >= 1);
    const deadline = Date.now() + 20_000;
    while (!(settled(await recordsOf(eventIds.ada)) && settled(await recordsOf(eventIds.bob)))) {
      if (Date.now() > deadline) throw new Error(`deliveries never settled: ${JSON.stringify(await recordsOf(eventIds.ada))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await app?.close();
    await receiver.close();
    if (redisUrl && name === 'bullmq') await deleteKeys(redisUrl, prefix);
  });

  it("a token scoped to other tenants erases nothing of acme's users", async () => {
    expect((await erase(ADA.id, GLOBEX_TOKEN).expect(200)).body).toEqual({ erased: 0 });
    expect(await recordsOf(eventIds.ada)).toHaveLength(3);
  });

  it("erases the user's succeeded, waiting and dead deliveries, and audits it without naming the user", async () => {
    const events: AdminActionEvent[] = [];
    app.app.get(EventEmitter2).on(ADMIN_ACTION_EVENT, (e: AdminActionEvent) => events.push(e));
    const res = await erase(ADA.id).expect(200);
    expect(res.body).toEqual({ erased: 3 });
    expect(await recordsOf(eventIds.ada)).toEqual([]);
    expect(await recordsOf(eventIds.bob)).toHaveLength(3);

    expect(events).toEqual([expect.objectContaining({ action: 'user.erase', target: expect.stringMatching(/^user:sha256:[0-9a-f]{12}$/) })]);
    const audit = app.logger.matching(/admin action/).map((l) => l.message).join('\n');
    expect(audit).toContain('erased=3');
    expect(audit).not.toContain(ADA.id);
    // Erasing again finds nothing.
    expect((await erase(ADA.id).expect(200)).body).toEqual({ erased: 0 });
  });

  it('cancels the waiting retry: nothing more is sent for the erased user, while others carry on', async () => {
    const adaSent = sentFor(eventIds.ada);
    const bobSent = sentFor(eventIds.bob);
    await receiver.until(() => sentFor(eventIds.bob) > bobSent, 10_000, "bob's next retry");
    await new Promise((r) => setTimeout(r, 1_600)); // past ada's retry, had it been kept
    expect(sentFor(eventIds.ada)).toBe(adaSent);
  });

  // The inline transport keeps nothing in Redis (its log is checked above).
  (name === 'bullmq' ? it : it.skip)("leaves no copy of the user's email in Redis, while other users' deliveries stay", async () => {
    const stored = await dumpRedis(redisUrl!, prefix);
    expect(stored).toContain(BOB.email); // the dump does read the jobs
    expect(stored).not.toContain(ADA.email);
    expect(stored).not.toContain(ADA.id);
    expect(stored).not.toContain(eventIds.ada);
  });

  it('refuses a request without a token, and documents the route', async () => {
    await request(app.app.getHttpServer()).delete(`/hookline/users/${BOB.id}/data`).expect(401);
    const doc = (await app.admin('/hookline/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths['/users/{userId}/data'])).toEqual(['delete']);
    expect(await recordsOf(eventIds.bob)).toHaveLength(3);
  });
});

/** A delivery waiting in this instance for its batch is not sent once its user is erased. */
describe.each(transports)('admin API: erasing a user whose delivery waits for its batch, on the %s transport', (name, transportFor) => {
  const TOKEN = 'pat-na1-erasure-0000-0000';
  let hubspot: HubSpotFake;
  let app: HooklineTestApp;
  const prefix = uniquePrefix(`erase-batch-${name}`);

  beforeAll(async () => {
    hubspot = await new HubSpotFake().start();
    hubspot.addToken(TOKEN);
    app = await HooklineTestApp.start({
      config: {
        tenants: {
          acme: {
            connectors: [
              { type: 'hubspot', accessToken: TOKEN, baseUrl: hubspot.origin, properties: { email: '{{ user.email }}' }, batch: { maxItems: 100, maxWaitMs: 3_000 } },
            ],
          },
        },
      },
      transport: transportFor(prefix),
    });
  });
  afterAll(async () => {
    await app?.close();
    await hubspot.close();
    if (redisUrl && name === 'bullmq') await deleteKeys(redisUrl, prefix);
  });

  it('sends the batch without the erased user', async () => {
    await app.hookline.publish(createUserRegisteredEvent({ tenant: 'acme', id: `batch-ada-${name}`, user: ADA }));
    await app.hookline.publish(createUserRegisteredEvent({ tenant: 'acme', id: `batch-bob-${name}`, user: BOB }));
    await app.waitForDeliveries((d) => d.length === 2 && d.every((x) => x.status === 'pending' || x.status === 'running'));
    expect((await eraseUser(app, ADA.id).expect(200)).body).toEqual({ erased: 1 });

    await app.waitForDeliveries((d) => d.some((x) => x.eventId === `batch-bob-${name}` && x.status === 'succeeded'));
    expect(hubspot.all().map((c) => c.properties.email)).toEqual([BOB.email]);
    expect(hubspot.requests.filter((r) => r.method === 'POST').map((r) => r.inputs)).toEqual([1]);
    expect((await app.hookline.listDeliveries({ limit: 500 })).items.map((d) => d.eventId)).toEqual([`batch-bob-${name}`]);
    // The job that was running when erased keeps only a tombstone.
    if (name === 'bullmq') expect(await dumpRedis(redisUrl!, prefix)).not.toContain(ADA.email);
  });
});
