import { HubSpotFake } from '../fakes/hubspot.fake';
import { SlackFake } from '../fakes/slack.fake';
import { startConnectorsApp, type ConnectorsApp } from './harness';

const TOKEN = 'pat-na1-secret-aaaa-bbbb-cccc-dddddddddddd';
const WRONG_TOKEN = 'pat-na1-wrong-eeee-ffff-0000-111111111111';

/** Webhook URLs and access tokens never reach logs, delivery records or the admin API, whatever happens. */
describe('connector secrets (e2e)', () => {
  let slack: SlackFake;
  let hubspot: HubSpotFake;
  let app: ConnectorsApp;
  let urls: string[];

  beforeAll(async () => {
    slack = await new SlackFake().start();
    hubspot = await new HubSpotFake().start();
    hubspot.addToken(TOKEN);
    urls = [slack.webhook('Bgood'), slack.webhook('Barchived'), slack.webhook('Bflaky')];
    slack.hookError(urls[1], 'channel_is_archived');
    slack.failNext(1, { status: 500, body: 'internal_error' });
    const retry = { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 20 };
    app = await startConnectorsApp({
      config: {
        tenants: {
          acme: {
            connectors: [
              ...urls.map((webhookUrl, i) => ({ type: 'slack', name: `s${i}`, webhookUrl, text: 'hi {{ user.email }}', retry, channel: '#x' })),
              { type: 'hubspot', name: 'good', accessToken: TOKEN, baseUrl: hubspot.origin, properties: { email: '{{ user.email }}' }, retry },
              { type: 'hubspot', name: 'bad', accessToken: WRONG_TOKEN, baseUrl: hubspot.origin, properties: { email: '{{ user.email }}' }, retry },
            ],
          },
        },
      },
    });
    await app.register('acme', [{ email: 'one@example.com' }, { email: 'not-an-email' }]);
    await app.settled(10_000);
  });

  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await hubspot?.close();
  });

  const secrets = () => [...urls, ...urls.map((u) => new URL(u).pathname), TOKEN, WRONG_TOKEN];

  it('ran through success, permanent and retried failures (so there was something to leak)', async () => {
    const statuses = new Set((await app.records()).map((r) => r.status));
    expect(statuses).toEqual(new Set(['succeeded', 'dead']));
    expect(app.logger.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('never logs a secret', () => {
    const text = app.logger.text();
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });

  it('never records a secret', async () => {
    const text = JSON.stringify(await app.records());
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });

  it('never shows a secret in the admin API; consumers show a host and a fingerprint', async () => {
    const list = await app.admin('/hookline/deliveries?limit=500').expect(200);
    const consumers = await app.admin('/hookline/consumers').expect(200);
    const one = await app.admin(`/hookline/deliveries/${list.body.items[0].id}`).expect(200);
    for (const body of [list.text, consumers.text, one.text]) for (const secret of secrets()) expect(body).not.toContain(secret);
    const slackSummary = consumers.body.items.find((c: { type: string }) => c.type === 'slack').summary;
    expect(slackSummary).toMatchObject({ host: `127.0.0.1:${slack.port}`, webhook: expect.stringMatching(/^sha256:[0-9a-f]{12}$/) });
    expect(slackSummary.ignoredOverrides).toEqual(['channel']);
    const hubspotSummary = consumers.body.items.find((c: { type: string }) => c.type === 'hubspot').summary;
    expect(hubspotSummary).toMatchObject({ token: expect.stringMatching(/^sha256:/), objectType: 'contacts', idProperty: 'email' });
  });
});
