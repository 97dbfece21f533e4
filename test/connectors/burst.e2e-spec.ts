import { maxInSlidingWindow } from '../fakes/fake-server';
import { HubSpotFake } from '../fakes/hubspot.fake';
import { SlackFake } from '../fakes/slack.fake';
import { startConnectorsApp, type ConnectorsApp } from './harness';

const SHARED_TOKEN = 'pat-na1-shared-0000-1111-2222-333333333333';
const OWN_TOKEN = 'pat-na1-initech-4444-5555-6666-777777777777';
const TOTAL = 1000;
const TENANTS = ['acme', 'globex', 'initech'] as const;

/**
 * The issue's burst: 1,000 registrations within a moment across 3 tenants, acme and globex sharing one
 * HubSpot token. Every contact lands once with its mapped properties, HubSpot sees at most 20 requests and
 * never more than the configured rate, and Slack gets digests instead of a 429 storm.
 */
describe('1,000 registrations across 3 tenants (e2e, against the fakes)', () => {
  jest.setTimeout(90_000);
  let slack: SlackFake;
  let hubspot: HubSpotFake;
  let app: ConnectorsApp;

  beforeAll(async () => {
    slack = await new SlackFake().start();
    hubspot = await new HubSpotFake().start();
    hubspot.addToken(SHARED_TOKEN).addToken(OWN_TOKEN);
    const tenant = (name: string, token: string, firstname: string) => ({
      connectors: [
        {
          type: 'slack',
          webhookUrl: slack.webhook(`B-${name}`),
          text: '{{ user.email }} joined {{ event.tenant }}',
          digest: { maxWaitMs: 1000, maxItems: 50 },
        },
        {
          type: 'hubspot',
          accessToken: token,
          baseUrl: hubspot.origin,
          properties: { email: '{{ user.email }}', firstname, company: '{{ event.tenant }}' },
          batch: { maxItems: 100, maxWaitMs: 500 },
        },
      ],
    });
    app = await startConnectorsApp({
      config: {
        tenants: {
          acme: tenant('acme', SHARED_TOKEN, '{{ user.user_metadata.firstName }}'),
          globex: tenant('globex', SHARED_TOKEN, '{{ user.username | upcase }}'),
          initech: tenant('initech', OWN_TOKEN, '{{ user.user_metadata.firstName | default: "friend" }}'),
        },
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await hubspot?.close();
  });

  it('delivers everything once, within HubSpot\'s bound and rate, with Slack digested and never rate-limited', async () => {
    const started = Date.now();
    const batches = TENANTS.map((tenant, t) =>
      Array.from({ length: Math.ceil((TOTAL - t) / TENANTS.length) }, (_, i) => ({
        email: `${tenant}-${i}@example.com`,
        username: `${tenant}user${i}`,
        user_metadata: { firstName: `First${i}` },
      })),
    );
    expect(batches.flat()).toHaveLength(TOTAL);
    await Promise.all(TENANTS.map((tenant, t) => app.register(tenant, batches[t])));

    const records = await app.settled(80_000);
    const elapsed = Date.now() - started;
    if (slack.count(429) > 0) {
      // For the record when the assertions below fail: each webhook's requests, when they arrived and how they were answered.
      const byWebhook = TENANTS.map((tenant) => {
        const path = new URL(slack.webhook(`B-${tenant}`)).pathname;
        return `${tenant}: ${slack.requests.filter((r) => r.path === path).map((r) => `+${r.at - started} ms ${r.status}`).join(', ')}`;
      });
      console.log(`Slack answered 429:\n${byWebhook.join('\n')}`);
    }
    expect(records).toHaveLength(TOTAL * 2);
    expect(records.filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(records.filter((r) => r.attempts !== 1).map((r) => [r.consumer, r.attempts, r.lastError])).toEqual([]);

    // HubSpot: every contact once, with its tenant's mapping.
    const contacts = hubspot.all();
    expect(contacts).toHaveLength(TOTAL);
    expect(new Set(contacts.map((c) => c.properties.email)).size).toBe(TOTAL);
    expect(hubspot.byEmail('acme-7@example.com')!.properties).toMatchObject({ firstname: 'First7', company: 'acme' });
    expect(hubspot.byEmail('globex-7@example.com')!.properties).toMatchObject({ firstname: 'GLOBEXUSER7', company: 'globex' });
    expect(hubspot.byEmail('initech-7@example.com')!.properties).toMatchObject({ firstname: 'First7', company: 'initech' });
    expect(contacts.every((c) => c.writes === 1)).toBe(true);

    // Within the bound, never over the configured rate (100 per sliding 10 s per token), no 429.
    expect(hubspot.requests.length).toBeLessThanOrEqual(20);
    expect(hubspot.count(429)).toBe(0);
    expect(hubspot.maxInWindow(SHARED_TOKEN)).toBeLessThanOrEqual(100);
    expect(hubspot.maxInWindow(OWN_TOKEN)).toBeLessThanOrEqual(100);
    // A batch is bigger than the request concurrency (16): waiting for a batch holds no slot.
    expect(Math.max(...hubspot.requests.map((r) => r.inputs))).toBe(100);

    // Slack: digests of ≤ 50, every registration listed once, no 429, at most ~1 message per second per webhook.
    expect(slack.count(429)).toBe(0);
    const lines = slack.posted().flatMap((r) => r.payload!.text!.split('\n').slice(1));
    expect(lines).toHaveLength(TOTAL);
    expect(new Set(lines).size).toBe(TOTAL);
    for (const tenant of TENANTS) {
      const times = slack.posted(slack.webhook(`B-${tenant}`)).map((r) => r.at);
      expect(times.length).toBeLessThanOrEqual(Math.ceil(334 / 50) + 2);
      expect(maxInSlidingWindow(times, 1000)).toBeLessThanOrEqual(2);
    }
    console.log(
      `burst: ${TOTAL} registrations → ${records.length} deliveries in ${elapsed} ms; ` +
        `HubSpot requests ${hubspot.requests.length}; Slack messages ${slack.posted().length}`,
    );
  });
});
