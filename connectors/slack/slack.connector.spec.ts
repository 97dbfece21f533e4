import { IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { classifySlackError, escapeMrkdwn, slackConnector, type SlackConfig } from './slack.connector';

describe('Slack connector', () => {
  it('escapes mrkdwn control characters', () => {
    expect(escapeMrkdwn('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });

  it.each([
    [400, 'invalid_payload', false],
    [403, 'action_prohibited', false],
    [404, 'channel_not_found', false],
    [410, 'channel_is_archived', false],
    [418, 'teapot', false],
    [500, 'internal_error', true],
    [503, '', true],
  ])('%i %s → retryable %s, with Slack\'s string', (status, body, retryable) => {
    const error = classifySlackError(new IncomingWebhookHTTPError(status, 'x', body)) as Error & { retryable: boolean };
    expect(error.retryable).toBe(retryable);
    if (body) expect(error.message).toContain(body);
  });

  it('429 takes Retry-After from the headers the fetch wrapper kept', () => {
    const error = classifySlackError(new IncomingWebhookHTTPError(429, 'Too Many Requests', 'rate_limited'), new Headers({ 'retry-after': '30' }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 30_000 });
  });

  it('a network error is retryable', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifySlackError(new IncomingWebhookRequestError(cause))).toMatchObject({ retryable: true, code: 'SLACK_UNREACHABLE' });
  });

  it('config: accepts https, loopback http, overrides (reported as ignored); rejects other http', () => {
    const schema = slackConnector.config as import('zod').ZodType<SlackConfig>;
    expect(schema.safeParse({ webhookUrl: 'https://hooks.slack.com/services/T/B/X', text: 'x' }).success).toBe(true);
    expect(schema.safeParse({ webhookUrl: 'http://[::1]:9/services/T/B/X', text: 'x' }).success).toBe(true);
    expect(schema.safeParse({ webhookUrl: 'http://example.com/services/T/B/X', text: 'x' }).success).toBe(false);
    const parsed = schema.parse({ webhookUrl: 'https://hooks.slack.com/services/T/B/X', text: 'x', username: 'bot' });
    expect(slackConnector.describe!(parsed)).toMatchObject({ host: 'hooks.slack.com', ignoredOverrides: ['username'] });
    expect(JSON.stringify(slackConnector.describe!(parsed))).not.toContain('/services/');
  });
});
