import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';

const SECRET = 'sk_runner_secret_4242';
const SCOPED = 'runner-scoped-token';

/** A hook that calls its allowed CRM with a secret in the URL, then a host outside allowHosts. */
const HOOK = `module.exports = async (user, context) => {
  const ok = await fetch(context.secrets.CRM_URL + '?key=' + context.secrets.KEY, { method: 'POST', body: JSON.stringify({ email: user.email }) });
  const refused = await fetch('https://elsewhere.example/collect').then(() => 'sent', (e) => e.code);
  console.log('crm answered', ok.status);
  return [ok.status, refused];
};`;

describe('admin API: the Runner over HTTP (POST <path>/runner)', () => {
  let receiver: Receiver;
  let harness: HooklineTestApp;
  let dir: string;

  const run = (body: object, token = ADMIN_TOKEN) =>
    request(harness.app.getHttpServer()).post('/hookline/runner').set('authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    receiver = await Receiver.start();
    dir = mkdtempSync(join(tmpdir(), 'hookline-runner-'));
    writeFileSync(join(dir, 'crm.js'), HOOK);
    harness = await HooklineTestApp.start({
      admin: { tokens: [ADMIN_TOKEN, { token: SCOPED, tenants: ['globex'] }] },
      config: {
        tenants: {
          acme: {
            hooks: [
              {
                name: 'crm',
                script: join(dir, 'crm.js'),
                secrets: { CRM_URL: `${receiver.url}/contacts`, KEY: SECRET },
                allowHosts: [new URL(receiver.url).host],
              },
            ],
          },
          globex: {},
        },
      },
    });
  });
  afterAll(async () => {
    await harness.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a configured hook with its secrets and lists its requests, the CLI's JSON plus requests", async () => {
    receiver.respond({ status: 201, body: '{}' });
    const res = await run({ tenant: 'acme', hook: 'crm', event: { user: { id: 'u1', email: 'ada@example.com' }, context: {} } }).expect(200);
    expect(Object.keys(res.body)).toEqual(['status', 'response', 'error', 'logs', 'durationMs', 'warnings', 'requests']);
    expect(res.body).toMatchObject({ status: 'ok', response: [201, 'HOST_NOT_ALLOWED'], error: null, warnings: [] });
    expect(res.body.requests).toEqual([
      // CRM_URL is a secret too: every secret value is redacted, wherever it appears in the URL.
      { method: 'POST', url: '[REDACTED]?key=[REDACTED]', status: 201, durationMs: expect.any(Number), refused: false, error: null },
      {
        method: 'GET',
        url: 'https://elsewhere.example/collect',
        status: null,
        durationMs: expect.any(Number),
        refused: true,
        error: 'fetch: host elsewhere.example:443 is not in allowHosts',
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(receiver.requests.at(-1)?.path).toBe(`/contacts?key=${SECRET}`);
  });

  it('runs a pasted script with no secret and no allowed host: every request refused', async () => {
    const script = `module.exports = async () => { await fetch('${receiver.url}/x').catch((e) => e.code); return 'done'; };`;
    const res = await run({ script }).expect(200);
    expect(res.body).toMatchObject({ status: 'ok', response: 'done' });
    expect(res.body.requests).toEqual([
      { method: 'GET', url: `${receiver.url}/x`, status: null, durationMs: expect.any(Number), refused: true, error: expect.stringContaining('is not in allowHosts') },
    ]);
  });

  it("refuses a scoped token another tenant's hook (404) and an invalid body (400), with the error body", async () => {
    const hidden = await run({ tenant: 'acme', hook: 'crm' }, SCOPED).expect(404);
    expect(hidden.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no tenant acme' } });
    const invalid = await run({ hook: 'crm' }).expect(400);
    expect(invalid.body.error).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path: 'body.tenant', message: 'hook needs tenant' }] });
  });
});
