import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createUserRegisteredEvent } from 'hookline';
import { defineConnector, z } from 'hookline/sdk';
import { runConnector, runHook, runHookSource } from 'hookline/testing';
import { webhookConnector } from '../connectors/webhook/webhook.connector';
import { Receiver } from './support/receiver';

const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The public `hookline/testing` entry, imported by name as a user's test would. */
describe('hookline/testing', () => {
  let receiver: Receiver;
  let dir: string;

  beforeAll(async () => {
    receiver = await Receiver.start({ answer: () => ({ status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"crm_42"}' }) });
    dir = mkdtempSync(join(tmpdir(), 'hookline-testing-'));
  });

  afterAll(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => receiver.reset());

  describe('runHook', () => {
    const hook = `module.exports = async function (user, context) {
  const res = await fetch(context.secrets.CRM_URL, { method: 'POST', headers: { authorization: 'Bearer ' + context.secrets.CRM_TOKEN }, body: JSON.stringify({ email: user.email }) });
  console.log('created', (await res.json()).id);
  return { status: res.status };
};`;

    it('runs a script file in the sandbox with an event and secrets, and answers its response and logs', async () => {
      const file = join(dir, 'crm.js');
      writeFileSync(file, hook);
      const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com' } });
      const result = await runHook(file, {
        event,
        secrets: { CRM_URL: `${receiver.url}/contacts`, CRM_TOKEN: 'tok_secret' },
        allowHosts: [new URL(receiver.url).host],
      });
      expect(result).toMatchObject({ status: 'ok', response: { status: 201 }, error: null, logs: [{ level: 'log', message: 'created crm_42' }] });
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/contacts', headers: { authorization: 'Bearer tok_secret' } });
      expect(JSON.parse(receiver.requests[0].body)).toEqual({ email: 'ada@example.com' });
    });

    it('keeps the sandbox policy: a host not allowed is refused', async () => {
      const result = await runHookSource(hook, { secrets: { CRM_URL: `${receiver.url}/contacts`, CRM_TOKEN: 't' } });
      expect(result.status).toBe('error');
      expect(result.error?.message).toContain('not in allowHosts');
      expect(receiver.requests).toHaveLength(0);
    });

    it('answers a script that cannot run as the Runner does, and names a bad option', async () => {
      const result = await runHookSource('module.exports = function (user, context, cb) { cb(null, ; };', { filename: 'broken.js' });
      expect(result).toMatchObject({ status: 'error', error: { name: 'SyntaxError' } });
      expect(result.error?.message).toContain('broken.js');
      await expect(runHookSource(hook, { allowHosts: ['https://api.example.com/'] })).rejects.toThrow(/^runHook: allowHosts: expected a host name/);
      await expect(runHookSource(hook, { timeoutMs: 60_000 })).rejects.toThrow('runHook: timeoutMs must be an integer from 1 to 30000, received 60000');
    });
  });

  describe('runConnector', () => {
    it("runs a built-in connector's deliver against a URL with a real HTTP client", async () => {
      const result = await runConnector(webhookConnector, { url: `${receiver.url}/hooks`, secret: WEBHOOK_SECRET });
      expect(result).toMatchObject({ status: 'succeeded' });
      const [request] = receiver.requests;
      const signed = new Webhook(WEBHOOK_SECRET).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      });
      expect(signed).toMatchObject({ type: 'user.registered', data: { tenant: 'acme', user: { email: 'ada@example.com' } } });
    });

    it('classifies a failure as Hookline would, and names an invalid config field', async () => {
      receiver.respond({ status: 503, headers: { 'retry-after': '2' }, body: 'busy' });
      const failed = await runConnector(webhookConnector, { url: `${receiver.url}/hooks`, secret: WEBHOOK_SECRET });
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'CONNECTOR_REQUEST_FAILED', retryable: true, status: 503 } });
      receiver.respond({ status: 400, body: 'bad' });
      await expect(runConnector(webhookConnector, { url: `${receiver.url}/hooks`, secret: WEBHOOK_SECRET })).resolves.toMatchObject({
        status: 'failed',
        error: { retryable: false, status: 400 },
      });
      await expect(runConnector(webhookConnector, { url: 'ftp://example.com', secret: WEBHOOK_SECRET })).rejects.toThrow(
        'runConnector(webhook): invalid config: url: expected an http(s) URL',
      );
    });

    it("runs a connector of one's own, with its logs, and times out one that ignores its signal", async () => {
      const stuck = defineConnector({
        type: 'stuck',
        displayName: 'Stuck',
        config: z.object({ label: z.string() }),
        async deliver(event, config, ctx) {
          ctx.log.info('delivering', { label: config.label });
          await new Promise(() => undefined);
        },
      });
      const result = await runConnector(stuck, { label: 'x' }, { timeoutMs: 200 });
      expect(result).toMatchObject({
        status: 'failed',
        error: { code: 'DELIVERY_TIMEOUT', retryable: true },
        logs: [{ level: 'info', message: 'delivering', fields: { label: 'x' } }],
      });
    });
  });
});
