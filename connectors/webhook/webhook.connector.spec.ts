import { Webhook } from 'standardwebhooks';
import { webhookConnector } from './webhook.connector';

const schema = webhookConnector.config as Exclude<typeof webhookConnector.config, (...args: never[]) => unknown>;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhook connector config', () => {
  it('accepts a URL, a whsec_ secret and extra headers', () => {
    const parsed = schema.parse({ url: 'https://example.com/hooks', secret: SECRET, headers: { 'x-team': 'growth' } });
    expect(parsed.url).toBe('https://example.com/hooks');
    expect(parsed.headers).toEqual({ 'x-team': 'growth' });
    expect(webhookConnector.describe!(parsed)).toEqual({ host: 'example.com', secret: expect.stringMatching(/^sha256:[0-9a-f]{12}$/) });
    expect(JSON.stringify(webhookConnector.describe!(parsed))).not.toContain(SECRET);
  });

  it.each([
    [{ url: 'ftp://example.com', secret: SECRET }, 'url', 'expected an http(s) URL'],
    [{ url: 'https://example.com', secret: 'hunter2' }, 'secret', 'expected a Standard Webhooks secret'],
    [{ url: 'https://example.com', secret: SECRET, headers: { 'webhook-id': 'x' } }, 'headers', 'set by Hookline'],
    [{ url: 'https://example.com', secret: SECRET, headers: { 'x-a': 'b\r\nx-injected: 1' } }, 'headers.x-a', 'line breaks'],
    [{ url: 'https://example.com', secret: SECRET, method: 'PUT' }, '', 'method'],
  ])('rejects %j at %s', (input, path, message) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((i) => i.path.join('.') === path);
    expect(issue?.message ?? JSON.stringify(result.error!.issues)).toContain(message);
  });
});

describe('webhook signatures', () => {
  it('sign exactly as the Standard Webhooks reference library does, once per secret while one is rotated', () => {
    const other = 'whsec_' + Buffer.from('another-secret-0123456789').toString('base64');
    const parsed = schema.parse({ url: 'https://example.com/hooks', secret: [SECRET, other] });
    const timestamp = new Date('2026-01-02T03:04:05.678Z');
    const body = JSON.stringify({ type: 'user.registered', data: { id: 'evt_1', email: 'ada@example.com', note: 'é ✓' } });
    const signatures = parsed.secret.signers.map((s) => s.sign('dlv_1', timestamp, body));
    expect(signatures).toEqual([new Webhook(SECRET).sign('dlv_1', timestamp, body), new Webhook(other).sign('dlv_1', timestamp, body)]);
  });
});
