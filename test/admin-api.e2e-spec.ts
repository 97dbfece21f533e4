import request from 'supertest';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ADMIN_ACTION_EVENT, type AdminActionEvent } from 'hookline';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('admin API', () => {
  let receiver: Receiver;
  let harness: HooklineTestApp;

  beforeAll(async () => {
    receiver = await Receiver.start();
    receiver.respond({ status: 400, body: 'no' });
    harness = await HooklineTestApp.start({
      config: {
        tenants: {
          acme: { connectors: [{ type: 'webhook', url: `${receiver.url}/path-with-${SECRET}`, secret: SECRET }] },
          globex: { connectors: [{ type: 'webhook', url: receiver.url, secret: SECRET }] },
        },
      },
    });
    await harness.register('acme', { email: 'a1@example.com' }).expect(201);
    await harness.register('acme', { email: 'a2@example.com' }).expect(201);
    await harness.register('globex', { email: 'g1@example.com' }).expect(201);
    await harness.waitForDeliveries((d) => d.length === 3 && d.every((x) => x.status === 'succeeded' || x.status === 'dead'));
  });
  afterAll(async () => {
    await harness.close();
    await receiver.close();
  });

  it('does not exist unless the host mounts HooklineAdminModule: 404', async () => {
    const closed = await HooklineTestApp.start({ config: { tenants: {} }, admin: false });
    await request(closed.app.getHttpServer()).get('/hookline/deliveries').expect(404);
    await request(closed.app.getHttpServer()).get('/hookline/console').expect(404);
    await closed.close();
  });

  it('refuses a missing or wrong token with 401', async () => {
    const server = harness.app.getHttpServer();
    const missing = await request(server).get('/hookline/deliveries').expect(401);
    expect(missing.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'a valid admin token is required (Authorization: Bearer <token>)' } });
    await request(server).get('/hookline/deliveries').set('authorization', 'Bearer wrong').expect(401);
    // Never from the query string.
    await request(server).get(`/hookline/deliveries?token=${ADMIN_TOKEN}`).expect(401);
  });

  it('lists deliveries newest first, filtered and paginated', async () => {
    const all = await harness.deliveries();
    expect(all.map((d) => d.tenant)).toEqual(['globex', 'acme', 'acme']);
    expect(Object.keys(all[0]).sort()).toEqual(
      ['attempts', 'consumer', 'createdAt', 'durationMs', 'eventId', 'id', 'kind', 'lastError', 'nextAttemptAt', 'status', 'tenant', 'updatedAt', 'detail'].sort(),
    );
    expect((await harness.deliveries('?tenant=acme')).map((d) => d.tenant)).toEqual(['acme', 'acme']);
    expect(await harness.deliveries('?status=dead')).toHaveLength(1);
    expect(await harness.deliveries('?consumer=globex/webhook/webhook')).toHaveLength(1);

    const page1 = await harness.admin('/hookline/deliveries?limit=2').expect(200);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await harness.admin(`/hookline/deliveries?limit=2&cursor=${page1.body.nextCursor}`).expect(200);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect(page2.body.items[0].id).toBe(all[2].id);

    const one = await harness.admin(`/hookline/deliveries/${all[0].id}`).expect(200);
    expect(one.body).toEqual(all[0]);
    const forged = await harness.admin('/hookline/deliveries?cursor=not-a-cursor').expect(400);
    expect(forged.body.error).toEqual({ code: 'INVALID_CURSOR', message: 'cursor: expected the nextCursor of a previous page, unchanged' });

    const missing = await harness.admin('/hookline/deliveries/dlv_nope').expect(404);
    expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no delivery dlv_nope' } });
  });

  it('answers 400 naming the field for an invalid query or body, in the error body', async () => {
    const res = await harness.admin('/hookline/deliveries?status=lost&limit=0').expect(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.issues.map((e: { path: string }) => e.path).sort()).toEqual(['query.limit', 'query.status']);
    const body = await request(harness.app.getHttpServer())
      .post('/hookline/deliveries/replay')
      .set('authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ filter: { since: 'yesterday' } })
      .expect(400);
    expect(body.body).toEqual({
      error: { code: 'INVALID_REQUEST', message: 'invalid body: body.filter.since', issues: [{ path: 'body.filter.since', message: expect.stringContaining('ISO-8601') }] },
    });
  });

  it('answers a replay of a delivery that is not dead with 409 NOT_DEAD', async () => {
    const [succeeded] = await harness.deliveries('?status=succeeded');
    const res = await request(harness.app.getHttpServer())
      .post(`/hookline/deliveries/${succeeded.id}/replay`)
      .set('authorization', `Bearer ${ADMIN_TOKEN}`)
      .expect(409);
    expect(res.body).toEqual({ error: { code: 'NOT_DEAD', message: `delivery ${succeeded.id} is succeeded; only dead deliveries can be replayed` } });
  });

  it('never shows a secret, even one that appears in an error', async () => {
    const res = await harness.admin('/hookline/deliveries?limit=500').expect(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(SECRET.slice(6));
    expect(harness.logger.text()).not.toContain(SECRET.slice(6));
  });

  it('audits every write: a log line and a hookline.admin.action event naming the token by fingerprint', async () => {
    const events: AdminActionEvent[] = [];
    harness.app.get(EventEmitter2).on(ADMIN_ACTION_EVENT, (e: AdminActionEvent) => events.push(e));
    const dead = (await harness.deliveries('?status=dead'))[0];
    const server = harness.app.getHttpServer();
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    await request(server).post(`/hookline/deliveries/${dead.id}/replay`).set(auth).expect(202);
    await request(server).post('/hookline/deliveries/replay').set(auth).send({ filter: { tenant: 'globex' }, dryRun: true }).expect(202);
    await request(server).post('/hookline/deliveries/replay').set(auth).send({ filter: { tenant: 'globex' } }).expect(202);

    // A dry run writes nothing, so it leaves no audit entry.
    expect(events.map((e) => [e.action, e.tenant, e.target])).toEqual([
      ['delivery.replay', dead.tenant, dead.id],
      ['deliveries.replay', 'globex', undefined],
    ]);
    for (const e of events) {
      expect(e.principal).toMatch(/^token:[0-9a-f]{12}$/);
      expect(Date.parse(e.at)).not.toBeNaN();
    }
    const lines = harness.logger.matching(/admin action/).map((l) => l.message);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`target=${dead.id}`);
    expect(lines[0]).toContain(events[0].principal);
    expect(harness.logger.text()).not.toContain(ADMIN_TOKEN);
  });

  it("takes tokens from the config file's admin.tokens, scoped, and never logs them", async () => {
    const fileToken = 'file-token-for-acme-support';
    process.env.HOOKLINE_TEST_ACME_TOKEN = fileToken;
    const app = await HooklineTestApp.start({
      config: { admin: { tokens: [{ token: '${env:HOOKLINE_TEST_ACME_TOKEN}', tenants: ['acme'] }] }, tenants: { acme: {}, globex: {} } },
      admin: {},
    });
    try {
      const server = app.app.getHttpServer();
      await request(server).get('/hookline/deliveries').set('authorization', `Bearer ${fileToken}`).expect(200);
      await request(server).get('/hookline/deliveries?tenant=globex').set('authorization', `Bearer ${fileToken}`).expect(404);
      await request(server).get('/hookline/deliveries').set('authorization', 'Bearer nope').expect(401);
    } finally {
      await app.close();
      delete process.env.HOOKLINE_TEST_ACME_TOKEN;
    }
    delete process.env.HOOKLINE_TEST_MISSING_TOKEN;
    await expect(
      HooklineTestApp.start({ config: { admin: { tokens: [{ token: '${env:HOOKLINE_TEST_MISSING_TOKEN}' }] }, tenants: {} } }),
    ).rejects.toThrow(/admin\.tokens\[0\]\.token: environment variable HOOKLINE_TEST_MISSING_TOKEN is not set/);
  });
});
