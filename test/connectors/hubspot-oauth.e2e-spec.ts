import { EventEmitter2 } from '@nestjs/event-emitter';
import { OPERATOR_EVENTS, type OperatorEvent } from 'hookline';
import type { ZodType } from 'zod';
import { hubspotConnector, type HubSpotConfig } from '../../connectors/hubspot/hubspot.connector';
import { HubSpotFake, type OAuthConnection } from '../fakes/hubspot.fake';
import { QUICK_RETRY, startConnectorsApp, type ConnectorsApp } from './harness';
import { deleteKeys, uniquePrefix } from '../support/redis';
import { redisUrlOrSkip } from '../support/services';

const redisUrl = redisUrlOrSkip('HubSpot OAuth: one refresh across instances');

let seq = 0;
/** The connector's config schema (a plain schema: it needs no file context). */
const schema = hubspotConnector.config as ZodType<HubSpotConfig>;

/** A HubSpot connector entry connected through OAuth to the fake at `origin`. */
function oauthEntry(origin: string, c: OAuthConnection, extra: Record<string, unknown> = {}) {
  return {
    type: 'hubspot',
    oauth: { clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken },
    baseUrl: origin,
    properties: { email: '{{ user.email }}' },
    batch: { maxItems: 1, maxWaitMs: 0 },
    retry: QUICK_RETRY,
    ...extra,
  };
}

/**
 * The HubSpot connector with a public app's OAuth connection, through the real @hubspot/api-client,
 * against a fake that answers the token endpoint as HubSpot documents it.
 */
describe('HubSpot connector with OAuth (e2e, against the HubSpot fake)', () => {
  let hubspot: HubSpotFake;
  let hookline: ConnectorsApp | undefined;

  beforeEach(async () => {
    hubspot = await new HubSpotFake().start();
  });
  afterEach(async () => {
    await hookline?.close();
    hookline = undefined;
    await hubspot.close();
  });

  /** A connection of its own per test: the connector keeps access tokens per connection in the process. */
  const connection = (extra: Partial<OAuthConnection> = {}): OAuthConnection => ({
    clientId: 'client-id-1',
    clientSecret: 'client-secret-1',
    refreshToken: `refresh-${++seq}-${Date.now()}`,
    hubId: 62515,
    appId: 1234,
    ...extra,
  });

  const entry = (c: OAuthConnection, extra: Record<string, unknown> = {}) => oauthEntry(hubspot.origin, c, extra);

  const boot = async (...connectors: Array<Record<string, unknown>>) => {
    hookline = await startConnectorsApp({ config: { tenants: { acme: { connectors } } } });
    return hookline;
  };

  it('gets one access token for concurrent deliveries, and upserts with it', async () => {
    const c = connection();
    hubspot.connect(c);
    const app = await boot(entry(c));
    await app.register('acme', Array.from({ length: 6 }, (_, i) => ({ email: `u${i}@example.com` })));
    const records = await app.settled(10_000);
    expect(records.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(hubspot.tokenRequests).toHaveLength(1);
    const issued = hubspot.tokenRequests[0].accessToken;
    const crm = hubspot.requests.filter((r) => r.path.startsWith('/crm/'));
    expect(crm.length).toBeGreaterThan(1);
    expect(new Set(crm.map((r) => r.token))).toEqual(new Set([issued]));
    expect(app.logger.text()).not.toContain(c.clientSecret);
    expect(app.logger.text()).not.toContain(c.refreshToken);
  });

  it('refreshes the access token before it expires', async () => {
    // Valid for 301 s: within the 5-minute margin after 1 s, so the next delivery refreshes it.
    const c = connection({ expiresInS: 301 });
    hubspot.connect(c);
    const app = await boot(entry(c));
    await app.register('acme', [{ email: 'first@example.com' }]);
    await app.settled(10_000);
    await new Promise((r) => setTimeout(r, 1_500));
    await app.register('acme', [{ email: 'second@example.com' }]);
    const records = await app.settled(10_000, (rs) => rs.length === 2 && rs.every((r) => r.status === 'succeeded'));
    expect(records).toHaveLength(2);
    expect(hubspot.tokenRequests.map((t) => t.status)).toEqual([200, 200]);
    const [first, second] = hubspot.tokenRequests.map((t) => t.accessToken);
    expect(first).not.toBe(second);
    const crm = hubspot.requests.filter((r) => r.path.startsWith('/crm/'));
    expect(crm.map((r) => r.token)).toEqual([first, second]);
    // No request ever went out with an expired token.
    expect(hubspot.count(401)).toBe(0);
  });

  it('a revoked refresh token makes deliveries dead with HUBSPOT_UNAUTHORIZED, and emits an operator event', async () => {
    const c = connection();
    hubspot.connect(c);
    const app = await boot(entry(c));
    const dead: OperatorEvent[] = [];
    app.app.get(EventEmitter2).on(OPERATOR_EVENTS.deliveryDead, (e: OperatorEvent) => dead.push(e));
    await app.register('acme', [{ email: 'before@example.com' }]);
    await app.settled(10_000);

    // The customer uninstalls the app: the refresh token and its access tokens stop working.
    hubspot.revoke(c.refreshToken);
    await app.register('acme', [{ email: 'after@example.com' }]);
    const records = await app.settled(10_000, (rs) => rs.length === 2 && rs.some((r) => r.status === 'dead'));
    const record = records.find((r) => r.status === 'dead')!;
    expect(record.lastError).toMatch(/^HUBSPOT_UNAUTHORIZED: HubSpot refused the OAuth refresh token \(BAD_REFRESH_TOKEN: missing or unknown refresh token\)/);
    expect(record.attempts).toBe(2); // the 401 with the old access token, then the refused refresh
    expect(hubspot.tokenRequests.map((t) => t.status)).toEqual([200, 400]);
    expect(hubspot.byEmail('after@example.com')).toBeUndefined();
    expect(dead).toEqual([expect.objectContaining({ tenant: 'acme', deliveryId: record.id, reason: expect.stringMatching(/^HUBSPOT_UNAUTHORIZED/) })]);
  });

  it('limits by the HubSpot account and app once known, never by the rotating access token', async () => {
    const c = connection({ hubId: 777, appId: 42 });
    hubspot.connect(c);
    const { oauth, baseUrl, properties } = entry(c);
    const config = schema.parse({ oauth, baseUrl, properties, rateLimit: { requests: 50, perMs: 10_000 } });
    const before = hubspotConnector.rateLimit!(config)?.key;
    expect(before).toMatch(/^hubspot:sha256:/);
    const app = await boot(entry(c));
    await app.register('acme', [{ email: 'limits@example.com' }]);
    await app.settled(10_000);
    expect(hubspotConnector.rateLimit!(config)).toEqual({ key: 'hubspot:portal:777:app:42', requests: 50, perMs: 10_000 });
  });

  it('takes either accessToken or oauth, not both, nor neither', () => {
    const c = connection();
    const base = { properties: { email: '{{ user.email }}' } };
    expect(schema.safeParse({ ...base, accessToken: 'pat-na1-123456789' }).success).toBe(true);
    for (const bad of [base, { ...base, accessToken: 'pat-na1-123456789', oauth: entry(c).oauth }]) {
      const parsed = schema.safeParse(bad);
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => i.message).join()).toMatch(/either accessToken .* or oauth/);
    }
  });
});

(redisUrl ? describe : describe.skip)('HubSpot OAuth across two instances sharing the bullmq transport', () => {
  it('fetches one access token for both instances, and one refresh when it is due', async () => {
    const hubspot = await new HubSpotFake().start();
    const prefix = uniquePrefix('hsoauth');
    const c: OAuthConnection = { clientId: 'cid', clientSecret: 'csecret', refreshToken: `refresh-shared-${Date.now()}`, hubId: 9, appId: 8, expiresInS: 308 };
    hubspot.connect(c);
    const config = {
      tenants: {
        acme: {
          connectors: [oauthEntry(hubspot.origin, c)],
        },
      },
    };
    const apps: ConnectorsApp[] = [];
    try {
      for (let i = 0; i < 2; i++) apps.push(await startConnectorsApp({ config, transport: { type: 'bullmq', url: redisUrl!, prefix } }));
      const users = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ email: `${tag}${i}@example.com` }));
      await Promise.all([apps[0].register('acme', users(8, 'a')), apps[1].register('acme', users(8, 'b'))]);
      await apps[0].settled(20_000, (rs) => rs.length === 16 && rs.every((r) => r.status === 'succeeded'));
      expect(hubspot.tokenRequests).toHaveLength(1);
      const crm = hubspot.requests.filter((r) => r.path.startsWith('/crm/'));
      expect(new Set(crm.map((r) => r.token))).toEqual(new Set([hubspot.tokenRequests[0].accessToken]));

      // The token is within its last 5 minutes after 8 s (time enough for the first 16 on a busy machine,
      // with no refresh among them): then both instances refresh it, once between them.
      await new Promise((r) => setTimeout(r, 8_500));
      await Promise.all([apps[0].register('acme', users(4, 'c')), apps[1].register('acme', users(4, 'd'))]);
      await apps[0].settled(20_000, (rs) => rs.length === 24 && rs.every((r) => r.status === 'succeeded'));
      expect(hubspot.tokenRequests.map((t) => t.status)).toEqual([200, 200]);
      // Redis holds the shared token sealed, never the token itself.
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisUrl!);
      const keys = await redis.keys(`${prefix}:shared:*`);
      const stored = (await Promise.all(keys.map((k) => redis.get(k)))).join('\n');
      await redis.quit();
      expect(keys.length).toBeGreaterThan(0);
      for (const t of hubspot.tokenRequests) expect(stored).not.toContain(t.accessToken);
    } finally {
      for (const app of apps) await app.close();
      await hubspot.close();
      await deleteKeys(redisUrl!, prefix);
    }
  }, 60_000);
});
