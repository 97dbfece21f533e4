import { HubSpotFake } from '../fakes/hubspot.fake';
import { QUICK_RETRY, startConnectorsApp, type ConnectorsApp } from './harness';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

/** The HubSpot connector through the real @hubspot/api-client, against a faithful fake. */
describe('HubSpot connector (e2e, against the HubSpot fake)', () => {
  let hubspot: HubSpotFake;
  let hookline: ConnectorsApp | undefined;

  beforeEach(async () => {
    hubspot = await new HubSpotFake().start();
    hubspot.addToken(TOKEN);
  });
  afterEach(async () => {
    await hookline?.close();
    hookline = undefined;
    await hubspot.close();
  });

  const boot = async (entry: Record<string, unknown> = {}) => {
    hookline = await startConnectorsApp({
      config: {
        tenants: {
          acme: {
            connectors: [
              {
                type: 'hubspot',
                accessToken: TOKEN,
                baseUrl: hubspot.origin,
                properties: { email: '{{ user.email }}', firstname: '{{ user.user_metadata.firstName }}', phone: '{{ user.phoneNumber }}' },
                batch: { maxItems: 100, maxWaitMs: 100 },
                retry: QUICK_RETRY,
                ...entry,
              },
            ],
          },
        },
      },
    });
    return hookline;
  };

  it('creates the contact with the mapped properties, and records its id', async () => {
    const app = await boot();
    await app.register('acme', [{ email: 'Ada@Example.com', phoneNumber: '+44 20 1234', user_metadata: { firstName: 'Ada' } }]);
    const [record] = await app.settled(5000);
    const contact = hubspot.byEmail('ada@example.com')!;
    expect(contact.properties).toMatchObject({ email: 'Ada@Example.com', firstname: 'Ada', phone: '+44 20 1234' });
    expect(record).toMatchObject({ status: 'succeeded', attempts: 1, detail: { hubspotId: contact.id, created: true } });
  });

  it('is idempotent: a retried batch and a second registration of the same email never duplicate the contact', async () => {
    hubspot.failNext(1, { status: 502, body: { status: 'error', category: 'INTERNAL_ERROR', message: 'bad gateway' } });
    const app = await boot();
    await app.register('acme', [{ email: 'twice@example.com', user_metadata: { firstName: 'One' } }]);
    await app.settled(5000);
    await app.register('acme', [{ email: 'twice@example.com', user_metadata: { firstName: 'Two' } }]);
    const records = await app.settled(5000, (rs) => rs.length === 2 && rs.every((r) => r.status === 'succeeded'));
    expect(hubspot.all()).toHaveLength(1);
    expect(hubspot.all()[0].properties.firstname).toBe('Two');
    expect(records.map((r) => r.detail?.created).sort()).toEqual([false, true]);
  });

  it('sends one input for duplicate emails inside a batch (HubSpot rejects duplicate ids)', async () => {
    const app = await boot();
    await app.register('acme', [{ email: 'dup@example.com' }, { email: 'DUP@example.com' }, { email: 'other@example.com' }]);
    const records = await app.settled(5000);
    expect(records.every((r) => r.status === 'succeeded')).toBe(true);
    expect(hubspot.requests).toHaveLength(1);
    expect(hubspot.requests[0].inputs).toBe(2);
    expect(hubspot.all()).toHaveLength(2);
  });

  it('207 partial failure: only the invalid email fails (permanently); the others succeed in the same request', async () => {
    const app = await boot();
    await app.register('acme', [
      { email: 'good1@example.com' },
      { email: 'not-an-email' },
      { email: 'good2@example.com' },
    ]);
    const records = await app.settled(5000);
    const bad = records.find((r) => r.status === 'dead')!;
    expect(records.filter((r) => r.status === 'succeeded')).toHaveLength(2);
    expect(bad.attempts).toBe(1);
    expect(bad.lastError).toContain('VALIDATION_ERROR');
    expect(bad.lastError).toContain('INVALID_EMAIL');
    expect(hubspot.requests).toHaveLength(1);
  });

  it('400 VALIDATION_ERROR on the whole request → permanent, with category and message', async () => {
    hubspot.failNext(1, { status: 400, body: { status: 'error', category: 'VALIDATION_ERROR', message: 'Property "nope" does not exist' } });
    const app = await boot();
    await app.register('acme', [{ email: 'v@example.com' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'dead', attempts: 1 });
    expect(record.lastError).toBe('HUBSPOT_REJECTED: HubSpot answered 400: VALIDATION_ERROR: Property "nope" does not exist');
  });

  it('401 (unknown token) → permanent, and the token is never on the record', async () => {
    const app = await boot({ accessToken: 'pat-na1-unknown-token-000000' });
    await app.register('acme', [{ email: 'w@example.com' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'dead', attempts: 1 });
    expect(record.lastError).toContain('HUBSPOT_UNAUTHORIZED: HubSpot answered 401: INVALID_AUTHENTICATION');
    expect(JSON.stringify(record)).not.toContain('pat-na1-unknown');
  });

  it('403 (missing scopes) → permanent', async () => {
    hubspot.addToken(TOKEN, { scopes: false });
    const app = await boot();
    await app.register('acme', [{ email: 'x@example.com' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'dead', attempts: 1 });
    expect(record.lastError).toContain('403: MISSING_SCOPES');
  });

  it('409 "Contact already exists. Existing ID: N" → success by the existing record', async () => {
    hubspot.failNext(1, { status: 409, body: { status: 'error', category: 'CONFLICT', message: 'Contact already exists. Existing ID: 4242' } });
    const app = await boot();
    await app.register('acme', [{ email: 'y@example.com' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'succeeded', attempts: 1, detail: { hubspotId: '4242', existing: true } });
  });

  it.each([
    ['5xx', (f: HubSpotFake) => f.failNext(2, { status: 503, body: { status: 'error', category: 'INTERNAL_ERROR', message: 'unavailable' } })],
    ['a network error', (f: HubSpotFake) => f.downFor(150)],
  ])('%s is retried until it succeeds', async (_name, fault) => {
    fault(hubspot);
    const app = await boot({ retry: { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 200 } });
    await app.register('acme', [{ email: 'z@example.com' }]);
    const [record] = await app.settled(8000);
    expect(record.status).toBe('succeeded');
    expect(record.attempts).toBeGreaterThan(1);
    expect(hubspot.all()).toHaveLength(1);
  });

  it('a timeout (the client has none of its own) is retried and recorded as a timeout', async () => {
    hubspot.slow(500);
    const app = await boot({ timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 } });
    await app.register('acme', [{ email: 't@example.com' }]);
    const [record] = await app.settled(8000);
    expect(record).toMatchObject({ status: 'dead', attempts: 2 });
    expect(record.lastError).toMatch(/DELIVERY_TIMEOUT/);
  });

  it('429 TEN_SECONDLY_ROLLING pauses the token for the window its headers give: no request inside it', async () => {
    hubspot.failNext(1, {
      status: 429,
      body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' },
      headers: { 'x-hubspot-ratelimit-interval-milliseconds': '2000', 'x-hubspot-ratelimit-remaining': '0' },
    });
    const app = await boot({ retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 }, batch: { maxItems: 1, maxWaitMs: 0 } });
    await app.register('acme', [{ email: 'r1@example.com' }, { email: 'r2@example.com' }, { email: 'r3@example.com' }]);
    const records = await app.settled(10_000);
    expect(records.every((r) => r.status === 'succeeded')).toBe(true);
    const limitedAt = hubspot.requests.find((r) => r.status === 429)!.at;
    // Requests already on the wire when the 429 came back may land just after it; nothing sent later does.
    const later = hubspot.requests.filter((x) => x.at > limitedAt);
    const inFlight = later.filter((x) => x.at - limitedAt < 100);
    expect(inFlight.length).toBeLessThanOrEqual(2);
    for (const r of later.filter((x) => !inFlight.includes(x))) expect(r.at - limitedAt).toBeGreaterThanOrEqual(1990);
    expect(later.length).toBeGreaterThan(inFlight.length);
  });

  it('429 DAILY is recorded clearly, retried after the reset, and not hammered', async () => {
    hubspot.addToken(TOKEN, { daily: 1 });
    const app = await boot({ batch: { maxItems: 1, maxWaitMs: 0 } });
    await app.register('acme', [{ email: 'd1@example.com' }]);
    await app.settled(5000);
    await app.register('acme', [{ email: 'd2@example.com' }]);
    const records = await app.settled(5000, (rs) => rs.some((r) => r.status === 'failed'));
    const failed = records.find((r) => r.status === 'failed')!;
    expect(failed.lastError).toMatch(/RATE_LIMITED: HubSpot 429 DAILY \(daily limit reached/);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(Math.abs(Date.parse(failed.nextAttemptAt!) - Math.max(midnight.getTime(), Date.now() + 60_000))).toBeLessThan(5000);
    // Another registration for the same token is deferred (no attempt used, no request made).
    await app.register('acme', [{ email: 'd3@example.com' }]);
    const after = await app.settled(5000, (rs) => rs.some((r) => r.status === 'pending' && r.lastError?.startsWith('RATE_LIMITED')));
    expect(after.find((r) => r.status === 'pending')!.attempts).toBe(0);
    expect(hubspot.requests).toHaveLength(2);
  });

  it('rejects a config whose properties do not map the idProperty, at the field', async () => {
    await expect(boot({ properties: { firstname: '{{ user.username }}' } })).rejects.toThrow(
      /tenants\.acme\.connectors\[0\]\.properties: must map the idProperty/,
    );
  });
});
