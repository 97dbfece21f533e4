import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';
import { HubSpotFake } from './fakes/hubspot.fake';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const HUBSPOT_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

/** `POST <path>/tenants/:tenant/consumers/:type/:name/test`: what a test send carries and what it does. */
describe('admin API: test sends', () => {
  let receiver: Receiver;
  let hubspot: HubSpotFake;
  let harness: HooklineTestApp;
  let dir: string;

  const testSend = (consumer: string) =>
    request(harness.app.getHttpServer()).post(`/hookline/tenants/acme/consumers/${consumer}/test`).set('authorization', `Bearer ${ADMIN_TOKEN}`);

  beforeAll(async () => {
    receiver = await Receiver.start();
    hubspot = await new HubSpotFake().start();
    hubspot.addToken(HUBSPOT_TOKEN);
    dir = mkdtempSync(join(tmpdir(), 'hookline-test-send-'));
    // The hook reports what it saw to the receiver.
    writeFileSync(
      join(dir, 'report.js'),
      `module.exports = async function (user, context) {
        await fetch('${receiver.url}/hook', {
          method: 'POST',
          body: JSON.stringify({ test: context.test, userId: user.id, eventId: context.webtask.headers['x-hookline-event-id'] }),
        });
      };`,
    );
    const hubspotEntry = { type: 'hubspot', baseUrl: hubspot.origin, properties: { email: '{{ user.email }}' }, batch: { maxItems: 10, maxWaitMs: 50 } };
    harness = await HooklineTestApp.start({
      config: {
        tenants: {
          acme: {
            hooks: [{ name: 'report', script: join(dir, 'report.js'), allowHosts: [new URL(receiver.url).host] }],
            connectors: [
              { type: 'webhook', name: 'crm', url: `${receiver.url}/webhook`, secret: SECRET },
              { ...hubspotEntry, name: 'crm', accessToken: HUBSPOT_TOKEN },
              { ...hubspotEntry, name: 'revoked', accessToken: 'pat-na1-revoked-token-0000' },
            ],
          },
        },
      },
      sandbox: { workers: 1 },
    });
  });
  afterAll(async () => {
    await harness.close();
    await receiver.close();
    await hubspot.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a webhook an event marked test: true whose id starts with test_', async () => {
    const res = await testSend('webhook/crm').expect(201);
    expect(res.body).toMatchObject({ status: 'succeeded', error: null, eventId: expect.stringMatching(/^test_/) });
    const [received] = (await receiver.waitFor(1)).filter((r) => r.path === '/webhook');
    const body = JSON.parse(received.body);
    expect(body.data).toMatchObject({ id: res.body.eventId, test: true, tenant: 'acme', user: { email: 'test@example.com' } });
    expect(body.data.user.id).toMatch(/^test_/);
    expect(received.deliveryId).toMatch(/^test_/);
    // No delivery record: a test is not a delivery.
    expect(await harness.deliveries()).toEqual([]);
  });

  it("gives a hook context.test === true, and the test event's id", async () => {
    receiver.reset();
    const res = await testSend('hook/report').expect(201);
    expect(res.body).toMatchObject({ status: 'succeeded', eventId: expect.stringMatching(/^test_/) });
    const [received] = await receiver.waitFor(1);
    expect(JSON.parse(received.body)).toEqual({ test: true, userId: expect.stringMatching(/^test_/), eventId: res.body.eventId });
  });

  it('tests a HubSpot consumer with an authenticated read: no contact is created', async () => {
    const res = await testSend('hubspot/crm').expect(201);
    expect(res.body).toMatchObject({ status: 'succeeded', error: null, detail: { read: 'contacts', records: 0 } });
    expect(hubspot.all()).toEqual([]);
    const calls = hubspot.requestsOf(HUBSPOT_TOKEN);
    expect(calls.map((c) => [c.method, c.path, c.status])).toEqual([['GET', '/crm/v3/objects/contacts', 200]]);
  });

  it("reports HubSpot's 401 for a bad token, and writes nothing", async () => {
    const res = await testSend('hubspot/revoked').expect(201);
    expect(res.body).toMatchObject({ status: 'failed', eventId: expect.stringMatching(/^test_/) });
    expect(res.body.error).toMatch(/^HUBSPOT_UNAUTHORIZED: HubSpot answered 401: INVALID_AUTHENTICATION: Authentication credentials not found/);
    expect(hubspot.all()).toEqual([]);
    expect(hubspot.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('audits the test send, naming the test event', async () => {
    const line = harness.logger.matching(/admin action/).find((l) => l.message.includes('hubspot/revoked'));
    expect(line?.message).toMatch(/action=consumer\.test/);
    expect(line?.message).toMatch(/status=failed/);
    expect(line?.message).toMatch(/eventId=test_/);
  });
});
