import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ADMIN_ACTION_EVENT, EnvKeyProvider, type AdminActionEvent, type TenantStoreOptions } from 'hookline';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';
import { aSecretsKey, dropSchema, sql, uniqueSchema } from './support/postgres';
import { postgresUrlOrSkip } from './support/services';

const url = postgresUrlOrSkip('admin API: tenants, secrets and tokens');
const suite = url ? describe : describe.skip;

const SIGNING = () => 'whsec_' + randomBytes(24).toString('base64');

suite('admin API: tenants, secrets and tokens (PostgreSQL)', () => {
  const schema = uniqueSchema('tenants_api');
  const store: TenantStoreOptions = {
    url: url!,
    schema,
    keys: EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEY: aSecretsKey() }),
    allowPrivateHosts: ['127.0.0.1'],
  };
  const apps: HooklineTestApp[] = [];
  /** Every answer body of the admin API in this file, to search for secrets. */
  const answers: string[] = [];
  let receiver: Receiver;
  let a: HooklineTestApp;
  let b: HooklineTestApp;

  const start = async () => {
    const app = await HooklineTestApp.start({ config: { tenants: { ops: { connectors: [] } } }, store });
    apps.push(app);
    return app;
  };

  /** One admin request; the answer's text is kept for the secret search. */
  const api = async (method: 'get' | 'put' | 'patch' | 'delete' | 'post', path: string, body?: unknown, token = ADMIN_TOKEN, app = a) => {
    let req = request(app.app.getHttpServer())[method](`/hookline/${path}`).set('authorization', `Bearer ${token}`);
    if (body !== undefined) req = req.send(body as object);
    const res = await req;
    answers.push(res.text);
    return res;
  };

  const webhook = (name: string) => ({
    type: 'webhook',
    name,
    url: `${receiver.url}/${name}`,
    secret: '${secret:WH_SECRET}',
    retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
  });

  beforeAll(async () => {
    receiver = await Receiver.start();
    a = await start();
    b = await start();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await receiver?.close();
    if (url) await dropSchema(url, schema);
  });

  it('creates a tenant, sets its secret, and a sign-up arrives signed with that secret', async () => {
    const created = await api('put', 'tenants/acme', { connectors: [webhook('crm')] });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: 'acme', version: 1, warnings: [{ path: 'connectors[0]', code: 'SECRET_MISSING' }] });

    const secret = SIGNING();
    const set = await api('put', 'tenants/acme/secrets/WH_SECRET', { value: secret });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: 'acme', name: 'WH_SECRET', warnings: [] });

    const before = receiver.requests.length;
    await a.register('acme', { email: 'ada@example.com', username: 'ada' }).expect(201);
    await receiver.waitFor(before + 1);
    const delivered = receiver.requests[before];
    expect(delivered.path).toBe('/crm');
    const verified = new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>) as { data: { user: { email: string } } };
    expect(verified.data.user.email).toBe('ada@example.com');

    const view = await api('get', 'tenants/acme');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id: 'acme', version: 2, secrets: ['WH_SECRET'] });
    expect(view.body.definition.connectors[0].secret).toBe('${secret:WH_SECRET}');
    const names = await api('get', 'tenants/acme/secrets');
    expect(names.body.items).toEqual([{ name: 'WH_SECRET', updatedAt: expect.any(String), previousUntil: null }]);
  });

  it('answers 400 with every field path for a bad definition, and changes nothing', async () => {
    const before = (await api('get', 'tenants/acme')).body;
    const res = await api('put', 'tenants/acme', {
      connectors: [{ type: 'webhook', name: 'crm', url: 'not a url', secret: '${secret:WH_SECRET}', retry: { maxAttempts: 0 } }, { type: 'nope' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/tenant "acme" is invalid; nothing was changed/);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['connectors[0].url', 'connectors[0].retry.maxAttempts', 'connectors[1].type']),
    );
    expect((await api('get', 'tenants/acme')).body).toEqual(before);

    const notObject = await api('put', 'tenants/acme', ['a list']);
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.issues[0].path).toBe('body');
    const badSecret = await api('put', 'tenants/acme/secrets/WH_SECRET', { value: '', extra: 1 });
    expect(badSecret.status).toBe(400);
    expect(badSecret.body.error.code).toBe('INVALID_REQUEST');
    expect(badSecret.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body', 'body.value']);
  });

  it('re-validates the consumers that use a secret: a value they refuse changes nothing', async () => {
    const res = await api('put', 'tenants/acme/secrets/WH_SECRET', { value: 'not-a-signing-secret' });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'connectors[0].secret' })]));
    expect((await api('get', 'tenants/acme')).body.version).toBe(2);
  });

  it('adds, disables, changes and removes a consumer', async () => {
    const put = await api('put', 'tenants/acme/consumers/webhook/billing', { url: `${receiver.url}/billing`, secret: '${secret:WH_SECRET}' });
    expect(put.status).toBe(200);
    const off = await api('patch', 'tenants/acme/consumers/webhook/billing', { enabled: false });
    expect(off.body.version).toBe(put.body.version + 1);
    let connectors = (await api('get', 'tenants/acme')).body.definition.connectors;
    expect(connectors.find((c: { name: string }) => c.name === 'billing')).toMatchObject({ type: 'webhook', name: 'billing', enabled: false });

    const unknown = await api('patch', 'tenants/acme/consumers/webhook/nope', { enabled: false });
    expect(unknown.status).toBe(404);
    const removed = await api('delete', 'tenants/acme/consumers/webhook/billing');
    expect(removed.status).toBe(200);
    connectors = (await api('get', 'tenants/acme')).body.definition.connectors;
    expect(connectors.map((c: { name: string }) => c.name)).toEqual(['crm']);
    const badName = await api('put', 'tenants/acme/consumers/webhook/bad%20name', {});
    expect(badName.status).toBe(400);
    expect(badName.body.error.issues[0].path).toBe('params.name');
  });

  it('answers 409 TENANT_DEFINED_IN_FILE for a tenant of the config file', async () => {
    const res = await api('put', 'tenants/ops', { connectors: [] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('TENANT_DEFINED_IN_FILE');
  });

  describe('what a tenant writer may not do, through the API', () => {
    it.each([
      ['a hook script path', { hooks: [{ name: 'h', script: '/etc/passwd' }] }, 'SCRIPT_PATH_NOT_ALLOWED', 'hooks[0].script'],
      ['an environment variable', { connectors: [{ ...remote(), url: '${env:HOOKLINE_SECRETS_KEY}' }] }, 'ENV_NOT_ALLOWED', 'connectors[0].url'],
      ['an inline secret', { connectors: [{ ...remote(), secret: SIGNING() }] }, 'SECRET_INLINE', 'connectors[0].secret'],
      ['a private URL', { connectors: [{ ...remote(), url: 'http://10.1.2.3/x' }] }, 'PRIVATE_HOST', 'connectors[0].url'],
      ['the metadata address', { connectors: [{ ...remote(), url: 'http://169.254.169.254/latest/meta-data' }] }, 'PRIVATE_HOST', 'connectors[0].url'],
      ['a loopback host not allowed', { connectors: [{ ...remote(), url: 'http://localhost:9/x' }] }, 'PRIVATE_HOST', 'connectors[0].url'],
    ])('refuses %s with its code', async (_what, definition, code, path) => {
      const res = await api('put', 'tenants/mallory', definition);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code, path })]));
      // One clear message per refused field: no second "environment variable … is not set".
      expect(res.body.error.issues.filter((i: { path: string }) => i.path === path)).toHaveLength(1);
      expect((await api('get', 'tenants/mallory')).status).toBe(404);
    });

    it('never opens a file a hook script path names, even to report on it', async () => {
      for (const definition of [
        { hooks: [{ name: 'h', script: '../../../../../../etc/passwd' }] },
        { hooks: [{ name: 'h', script: '/etc/hostname', secrets: { K: '${secret:NOT_SET}' } }] },
      ]) {
        const res = await api('put', 'tenants/mallory', definition);
        expect(res.status).toBe(400);
        expect(res.body.error.issues).toEqual([expect.objectContaining({ path: 'hooks[0].script', code: 'SCRIPT_PATH_NOT_ALLOWED' })]);
      }
    });
  });

  it('issues a scoped token that works at once on every instance, sees only its tenants, and stops after DELETE', async () => {
    await api('put', 'tenants/globex', { connectors: [] });
    const issued = await api('post', 'tokens', { tenants: ['acme'], label: 'acme support' });
    expect(issued.status).toBe(201);
    const { token, id, fingerprint } = issued.body;
    expect(token).toMatch(/^hl_/);
    expect(fingerprint).toMatch(/^token:[0-9a-f]{12}$/);

    // Accepted at once, here and by the other instance.
    for (const app of [a, b]) expect((await api('get', 'tenants/acme', undefined, token, app)).status).toBe(200);
    expect((await api('get', 'tenants', undefined, token)).body.items.map((t: { id: string }) => t.id)).toEqual(['acme']);
    expect((await api('get', 'access', undefined, token)).body).toMatchObject({ principal: fingerprint, tenants: ['acme'] });

    // Another tenant is as absent as an unknown one, for reading and for writing.
    const globex = (await api('get', 'tenants/globex')).body;
    for (const [method, path, body] of [
      ['get', 'tenants/globex'],
      ['put', 'tenants/globex', { connectors: [webhook('x')] }],
      ['delete', 'tenants/globex'],
      ['put', 'tenants/globex/consumers/webhook/x', { url: `${receiver.url}/x`, secret: '${secret:WH_SECRET}' }],
      ['put', 'tenants/globex/secrets/WH_SECRET', { value: SIGNING() }],
      ['get', 'tenants/globex/secrets'],
      ['put', 'tenants/newco', { connectors: [] }],
    ] as const) {
      const res = await api(method, path, body, token);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'NOT_FOUND']);
    }
    expect((await api('get', 'tenants/globex')).body).toEqual(globex);
    expect((await api('get', 'tenants/newco')).status).toBe(404);

    // Tokens: a scoped token cannot issue beyond its tenants; it sees only tokens within them.
    expect((await api('post', 'tokens', { tenants: '*' }, token)).status).toBe(403);
    expect((await api('post', 'tokens', { tenants: ['globex'] }, token)).status).toBe(404);
    const all = await api('post', 'tokens', { tenants: '*', label: 'ops' });
    expect((await api('get', 'tokens', undefined, token)).body.items.map((t: { id: string }) => t.id)).toEqual([id]);
    const listed = (await api('get', 'tokens')).body.items;
    expect(listed.map((t: { id: string }) => t.id)).toEqual([id, all.body.id]);
    expect(listed[0]).toEqual({ id, fingerprint, tenants: ['acme'], label: 'acme support', createdAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await api('delete', `tokens/${all.body.id}`, undefined, token)).status).toBe(404);

    expect((await api('delete', `tokens/${id}`)).status).toBe(204);
    for (const app of [a, b]) expect((await api('get', 'tenants/acme', undefined, token, app)).status).toBe(401);
    expect((await api('delete', `tokens/${id}`)).status).toBe(404);
    const rows = await sql<{ token_hash: string }>(url!, `SELECT token_hash FROM "${schema}".admin_tokens`);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('audits every write with the token fingerprint, never a value', async () => {
    const events: AdminActionEvent[] = [];
    a.app.get(EventEmitter2).on(ADMIN_ACTION_EVENT, (e: AdminActionEvent) => events.push(e));
    const value = SIGNING();
    await api('put', 'tenants/initech', { connectors: [] });
    await api('put', 'tenants/initech/secrets/OTHER', { value });
    await api('delete', 'tenants/initech/secrets/OTHER');
    await api('delete', 'tenants/initech');
    expect(events.map((e) => [e.action, e.tenant, e.target])).toEqual([
      ['tenant.put', 'initech', 'initech'],
      ['secret.put', 'initech', 'OTHER'],
      ['secret.delete', 'initech', 'OTHER'],
      ['tenant.delete', 'initech', 'initech'],
    ]);
    for (const e of events) expect(e.principal).toMatch(/^token:[0-9a-f]{12}$/);
    expect(a.logger.matching(/admin action/).length).toBeGreaterThanOrEqual(4);
    expect(a.logger.text()).not.toContain(value);
    expect((await api('get', 'tenants/initech')).status).toBe(404);
  });

  it("keeps the secret's plaintext out of the table, the logs and every answer", async () => {
    const plaintext = SIGNING();
    expect((await api('put', 'tenants/acme/secrets/WH_SECRET', { value: plaintext })).status).toBe(200);
    const before = receiver.requests.length;
    await a.register('acme', { email: 'grace@example.com' }).expect(201);
    await receiver.waitFor(before + 1);
    await api('get', 'tenants/acme');
    await api('get', 'tenants/acme/secrets');
    await api('get', 'deliveries?tenant=acme');
    await api('get', 'consumers?tenant=acme');

    const tables = await sql(url!, `SELECT * FROM "${schema}".secrets`);
    const dump = JSON.stringify(tables, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    for (const text of [dump, answers.join('\n'), a.logger.text(), b.logger.text()]) {
      expect(text).not.toContain(plaintext);
      expect(text).not.toContain(plaintext.slice(6));
    }
  });

  it('answers 501 STORE_NOT_CONFIGURED, naming the option, without a store', async () => {
    const plain = await HooklineTestApp.start({ config: { tenants: {} } });
    apps.push(plain);
    for (const [method, path] of [
      ['get', 'tenants'],
      ['put', 'tenants/acme'],
      ['post', 'tokens'],
    ] as const) {
      const res = await api(method, path, method === 'get' ? undefined : {}, ADMIN_TOKEN, plain);
      expect(res.status).toBe(501);
      expect(res.body.error).toMatchObject({ code: 'STORE_NOT_CONFIGURED', message: expect.stringContaining('store: { url }') });
    }
  });
});

function remote() {
  return { type: 'webhook', name: 'x', url: 'https://example.com/x', secret: '${secret:WH_SECRET}' };
}
