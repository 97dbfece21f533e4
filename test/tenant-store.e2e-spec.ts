import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { EnvKeyProvider, HooklineTenants, TenantWriteError, createUserRegisteredEvent, type TenantStoreOptions } from 'hookline';
import { ConfigRegistry } from '../src/hookline/config/config.registry';
import { POST_USER_REGISTRATION } from '../src/hookline/core/events/user-registered.event';
import { HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';
import { aSecretsKey, dropSchema, sql, uniqueSchema } from './support/postgres';
import { postgresUrlOrSkip } from './support/services';

const url = postgresUrlOrSkip('tenant store');
const suite = url ? describe : describe.skip;

const SIGNING = () => 'whsec_' + randomBytes(24).toString('base64');

suite('tenant store (PostgreSQL)', () => {
  const schema = uniqueSchema('tenants');
  const keys = EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEY: aSecretsKey() });
  const store = (extra: Partial<TenantStoreOptions> = {}): TenantStoreOptions => ({
    url: url!,
    schema,
    keys,
    allowPrivateHosts: ['127.0.0.1'],
    ...extra,
  });
  const apps: HooklineTestApp[] = [];
  let receiver: Receiver;
  let a: HooklineTestApp;
  let tenants: HooklineTenants;

  const start = async (extra: Partial<TenantStoreOptions> = {}, config: Record<string, unknown> = { tenants: { ops: { connectors: [] } } }) => {
    const app = await HooklineTestApp.start({ config, store: store(extra) });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    receiver = await Receiver.start();
    a = await start();
    tenants = a.app.get(HooklineTenants);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await receiver?.close();
    if (url) await dropSchema(url, schema);
  });

  const webhook = (name: string, secretRef = '${secret:WH_SECRET}') => ({
    type: 'webhook',
    name,
    url: `${receiver.url}/${name}`,
    secret: secretRef,
    retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
  });

  it('delivers for a tenant written at run time, signed with the secret set at run time', async () => {
    const secret = SIGNING();
    await tenants.setSecret('acme', 'WH_SECRET', secret);
    const written = await tenants.upsertTenant('acme', { connectors: [webhook('crm')] });
    expect(written).toMatchObject({ id: 'acme', version: 1, warnings: [] });

    const before = receiver.requests.length;
    await a.register('acme', { email: 'ada@example.com', username: 'ada' }).expect(201);
    await receiver.waitFor(before + 1);
    const req = receiver.requests[before];
    expect(req.path).toBe('/crm');
    const verified = new Webhook(secret).verify(req.body, req.headers as Record<string, string>) as { data: { user: { email: string } } };
    expect(verified.data.user.email).toBe('ada@example.com');
  });

  it('a second instance sees a change within a second', async () => {
    const b = await start();
    const registryB = b.app.get(ConfigRegistry);
    await tenants.upsertTenant('globex', { connectors: [webhook('one')] });
    expect((await registryB.consumersFor('globex', POST_USER_REGISTRATION)).map((c) => c.name)).toEqual(['one']);

    const started = Date.now();
    await tenants.putConsumer('globex', { type: 'webhook', name: 'two' }, webhook('two'));
    let names: string[] = [];
    while (Date.now() - started < 5_000) {
      names = (await registryB.consumersFor('globex', POST_USER_REGISTRATION)).map((c) => c.name);
      if (names.length === 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsed = Date.now() - started;
    expect(names.sort()).toEqual(['one', 'two']);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('refuses a bad definition whole, with every problem as a field path, and changes nothing', async () => {
    const before = await tenants.getTenant('acme');
    const error = await tenants
      .upsertTenant('acme', {
        connectors: [
          { type: 'webhook', name: 'crm', url: 'not a url', secret: '${secret:WH_SECRET}', retry: { maxAttempts: 0 } },
          { type: 'nope' },
        ],
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TenantWriteError);
    expect(error.status).toBe(400);
    const paths = (error as TenantWriteError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['connectors[0].url', 'connectors[0].retry.maxAttempts', 'connectors[1].type']));
    expect(await tenants.getTenant('acme')).toEqual(before);
  });

  it('keeps secret values out of the tables, the logs and what it returns', async () => {
    const plaintext = SIGNING();
    const result = await tenants.setSecret('acme', 'WH_SECRET', plaintext);
    const view = await tenants.getTenant('acme');
    const secrets = await tenants.listSecrets('acme');
    const rows = await sql(url!, `SELECT * FROM "${schema}".secrets`);
    const tenantRows = await sql(url!, `SELECT * FROM "${schema}".tenants`);
    const dump = JSON.stringify([rows, tenantRows], (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(dump).not.toContain(plaintext);
    expect(dump).not.toContain(plaintext.slice(6));
    expect(JSON.stringify([result, view, secrets])).not.toContain(plaintext);
    expect(view?.secrets).toContain('WH_SECRET');

    const before = receiver.requests.length;
    await a.register('acme', { email: 'grace@example.com' }).expect(201);
    await receiver.waitFor(before + 1);
    expect(a.logger.lines.map((l) => l.message).join('\n')).not.toContain(plaintext);
  });

  it('signs with the old and the new secret while a rotation overlaps, then with the new one only', async () => {
    const [old, next] = [SIGNING(), SIGNING()];
    await tenants.setSecret('rotating', 'WH_SECRET', old);
    await tenants.upsertTenant('rotating', { connectors: [webhook('rot')] });
    await tenants.setSecret('rotating', 'WH_SECRET', next, { overlapMs: 60_000 });
    const before = receiver.requests.length;
    await a.hookline.publish(createUserRegisteredEvent({ tenant: 'rotating', user: { id: 'r1', email: 'r1@example.com' } }));
    await receiver.waitFor(before + 1);
    const req = receiver.requests[before];
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [old, next]) expect(() => new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();

    await tenants.setSecret('rotating', 'WH_SECRET', next);
    await a.hookline.publish(createUserRegisteredEvent({ tenant: 'rotating', user: { id: 'r2', email: 'r2@example.com' } }));
    await receiver.waitFor(before + 2);
    const after = receiver.requests[before + 1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(old).verify(after.body, after.headers as Record<string, string>)).toThrow();
  });

  it('two concurrent writers leave one consistent tenant', async () => {
    await tenants.upsertTenant('initech', { connectors: [] });
    const names = Array.from({ length: 8 }, (_, i) => `w${i}`);
    await Promise.all(names.map((n) => tenants.putConsumer('initech', { type: 'webhook', name: n }, webhook(n))));
    const view = await tenants.getTenant('initech');
    const written = (view!.definition.connectors as Array<{ name: string }>).map((c) => c.name).sort();
    expect(written).toEqual(names);
    expect(view!.version).toBe(1 + names.length);
  });

  it('a consumer whose secret is not set fails its deliveries permanently, naming the secret', async () => {
    const result = await tenants.upsertTenant('umbrella', { connectors: [webhook('crm', '${secret:NOT_YET}')] });
    expect(result.warnings).toEqual([expect.objectContaining({ path: 'connectors[0]', code: 'SECRET_MISSING' })]);
    const { deliveryIds } = await a.hookline.publish(createUserRegisteredEvent({ tenant: 'umbrella', user: { id: 'u1', email: 'u1@example.com' } }));
    const [dead] = await a.waitForDeliveries((items) => items.some((d) => d.id === deliveryIds[0] && d.status === 'dead'));
    const record = (await a.hookline.getDelivery(deliveryIds[0]))!;
    expect(dead).toBeDefined();
    expect(record.attempts).toBe(1);
    expect(record.lastError).toMatch(/^SECRET_MISSING: .*"NOT_YET"/);
  });

  it('refuses to write a tenant of the file (409), and the file and the store cannot share a tenant', async () => {
    const error = await tenants.upsertTenant('ops', { connectors: [] }).catch((e) => e);
    expect(error).toMatchObject({ code: 'TENANT_DEFINED_IN_FILE', status: 409 });

    const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
    const file = join(dir, 'hookline.yaml');
    writeFileSync(file, 'tenants:\n  ops: {}\n');
    const registry = a.app.get(ConfigRegistry);
    const b = await HooklineTestApp.start({ config: file, store: store(), watchConfig: false });
    apps.push(b);
    writeFileSync(file, 'tenants:\n  ops: {}\n  acme: {}\n');
    const reloaded = await b.app.get(ConfigRegistry).reload();
    expect(reloaded).toBe(false);
    expect(b.logger.lines.map((l) => l.message).join('\n')).toMatch(/tenants\.acme: the tenant "acme" is already defined in the tenant store/);
    expect(b.app.get(ConfigRegistry).isStaticTenant('acme')).toBe(false);
    expect(registry.isStaticTenant('ops')).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('what a tenant writer may not do', () => {
    it.each([
      ['a hook script path', { hooks: [{ name: 'h', script: '/etc/passwd' }] }, 'SCRIPT_PATH_NOT_ALLOWED', 'hooks[0].script'],
      ['an environment variable', { connectors: [{ ...webhookAt('https://example.com/x'), url: '${env:HOOKLINE_SECRETS_KEY}' }] }, 'ENV_NOT_ALLOWED', 'connectors[0].url'],
      ['an inline secret', { connectors: [{ ...webhookAt('https://example.com/x'), secret: SIGNING() }] }, 'SECRET_INLINE', 'connectors[0].secret'],
      ['a loopback URL', { connectors: [webhookAt('http://localhost:8080/x')] }, 'PRIVATE_HOST', 'connectors[0].url'],
      ['a private URL', { connectors: [webhookAt('http://10.1.2.3/x')] }, 'PRIVATE_HOST', 'connectors[0].url'],
      ['the metadata address', { connectors: [webhookAt('http://169.254.169.254/latest/meta-data')] }, 'PRIVATE_HOST', 'connectors[0].url'],
      ['an IPv6 loopback URL', { connectors: [webhookAt('http://[::1]:9000/x')] }, 'PRIVATE_HOST', 'connectors[0].url'],
      ['a private host in allowHosts', { hooks: [{ name: 'h', source: 'module.exports = async () => {}', allowHosts: ['192.168.1.10'] }] }, 'PRIVATE_HOST', 'hooks[0].allowHosts[0]'],
    ])('refuses %s', async (_what, definition, code, path) => {
      const error = await tenants.upsertTenant('mallory', definition).catch((e) => e);
      expect(error).toBeInstanceOf(TenantWriteError);
      expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code, path })]));
      expect(error.code).toBe(code);
      expect(await tenants.getTenant('mallory')).toBeUndefined();
    });

    it('refuses a stored hook whose source does not parse, at write time', async () => {
      const error = await tenants.upsertTenant('mallory', { hooks: [{ name: 'h', source: 'module.exports = async (user) => {' }] }).catch((e) => e);
      expect(error.issues).toEqual([expect.objectContaining({ path: 'hooks[0].source', message: expect.stringMatching(/SyntaxError/) })]);
    });
  });
});

function webhookAt(target: string) {
  return { type: 'webhook', name: 'x', url: target, secret: '${secret:WH_SECRET}' };
}
