import { SlackFake } from '../fakes/slack.fake';
import { QUICK_RETRY, startConnectorsApp, type ConnectorsApp } from './harness';

/** The Slack connector through the real @slack/webhook client, against a faithful fake. */
describe('Slack connector (e2e, against the Slack fake)', () => {
  let slack: SlackFake;
  let hookline: ConnectorsApp | undefined;

  beforeEach(async () => {
    slack = await new SlackFake().start();
  });
  afterEach(async () => {
    await hookline?.close();
    hookline = undefined;
    await slack.close();
  });

  const boot = async (entry: Record<string, unknown> = {}, webhook = slack.webhook()) => {
    hookline = await startConnectorsApp({
      config: {
        tenants: {
          acme: {
            connectors: [
              {
                type: 'slack',
                name: 'signups',
                webhookUrl: webhook,
                text: 'New user: {{ user.username | default: user.email }} ({{ user.email }})',
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

  it('200 ok → succeeded after one attempt, text rendered', async () => {
    const app = await boot();
    await app.register('acme', [{ email: 'ada@example.com', username: 'ada' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'succeeded', attempts: 1, lastError: null });
    expect(slack.posted()[0].payload?.text).toBe('New user: ada (ada@example.com)');
  });

  describe.each([
    ['channel_is_archived', 410],
    ['channel_not_found', 404],
    ['no_service', 404],
    ['no_active_hooks', 404],
    ['action_prohibited', 403],
    ['posting_to_general_channel_denied', 403],
    ['user_not_found', 400],
  ] as const)('%s (%i)', (error, status) => {
    it('is permanent: dead after one attempt, with Slack\'s error string on the record', async () => {
      slack.hookError(slack.webhook(), error);
      const app = await boot();
      await app.register('acme', [{ email: 'bob@example.com' }]);
      const [record] = await app.settled(5000);
      expect(record).toMatchObject({ status: 'dead', attempts: 1 });
      expect(record.lastError).toContain(`Slack answered ${status}: ${error}`);
      expect(slack.requests).toHaveLength(1);
    });
  });

  it('400 no_text (an empty rendered message) is permanent', async () => {
    const app = await boot({ text: '{{ user.nickname }}' });
    await app.register('acme', [{ email: 'x@example.com' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'dead', attempts: 1 });
    expect(record.lastError).toContain('400: no_text');
  });

  it('5xx is retried, then succeeds', async () => {
    slack.failNext(2, { status: 500, body: 'internal_error' });
    const app = await boot();
    await app.register('acme', [{ email: 'c@example.com' }]);
    const [record] = await app.settled(5000);
    expect(record).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('a network error (connection reset) is retried', async () => {
    slack.downFor(150);
    const app = await boot({ retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 200 } });
    await app.register('acme', [{ email: 'd@example.com' }]);
    const [record] = await app.settled(8000);
    expect(record.status).toBe('succeeded');
    expect(record.attempts).toBeGreaterThan(1);
    expect(slack.requests.some((r) => r.status === 'reset')).toBe(true);
  });

  it('a timeout is retried, and recorded as one', async () => {
    slack.slow(400);
    const app = await boot({ timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 } });
    await app.register('acme', [{ email: 'e@example.com' }]);
    const [record] = await app.settled(8000);
    expect(record).toMatchObject({ status: 'dead', attempts: 2 });
    expect(record.lastError).toMatch(/timed out|TIMEOUT/i);
  });

  it('429 → waits Retry-After to the second; nothing is sent to the webhook inside the window', async () => {
    slack.failNext(1, { status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } });
    const app = await boot({ retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 } });
    await app.register('acme', [{ email: 'f@example.com' }, { email: 'g@example.com' }]);
    const records = await app.settled(10_000);
    expect(records.every((r) => r.status === 'succeeded')).toBe(true);
    const limitedAt = slack.requests.find((r) => r.status === 429)!.at;
    const after = slack.requests.filter((r) => r.at > limitedAt);
    expect(after.length).toBeGreaterThan(0);
    for (const r of after) expect(r.at - limitedAt).toBeGreaterThanOrEqual(1990);
    expect(after[0].at - limitedAt).toBeLessThan(3500);
  });

  it('escapes mrkdwn in inserted values: a user named <!channel> pings nobody; unicode passes through', async () => {
    const app = await boot({ text: '<!here> New: {{ user.username }} & {{ user.user_metadata.city }}' });
    await app.register('acme', [{ email: 'h@example.com', username: '<!channel> & <@U123>', user_metadata: { city: 'Zürich 🇨🇭 東京' } }]);
    await app.settled(5000);
    expect(slack.posted()[0].payload?.text).toBe('<!here> New: &lt;!channel&gt; &amp; &lt;@U123&gt; & Zürich 🇨🇭 東京');
  });

  it('renders Block Kit blocks whose string values are templates', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*{{ user.email }}* joined {{ context.connection.name }}' } }];
    const app = await boot({ blocks });
    await app.register('acme', [{ email: 'i<b>@example.com' }]);
    await app.settled(5000);
    expect(slack.posted()[0].payload?.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*i&lt;b&gt;@example.com* joined Username-Password-Authentication' } },
    ]);
  });

  it('paces a burst per webhook: no 429 storm, about one message per second', async () => {
    const app = await boot();
    await app.register('acme', [1, 2, 3, 4].map((i) => ({ email: `p${i}@example.com` })));
    const records = await app.settled(10_000);
    expect(records.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
    expect(slack.count(429)).toBe(0);
    const times = slack.posted().map((r) => r.at);
    expect(times[3] - times[0]).toBeGreaterThanOrEqual(1500); // 4 messages need at least 2 windows past the first
  });

  it('digest: a burst becomes one message listing them; each delivery is recorded on its own', async () => {
    // Sent when all 12 are in (a long wait: however slowly they arrive, they are one digest).
    const app = await boot({ digest: { maxWaitMs: 5_000, maxItems: 12 } });
    await app.register('acme', Array.from({ length: 12 }, (_, i) => ({ email: `u${i}@example.com`, username: `user${i}` })));
    const records = await app.settled(10_000);
    expect(records).toHaveLength(12);
    expect(records.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
    expect(slack.posted()).toHaveLength(1);
    const text = slack.posted()[0].payload!.text!;
    expect(text.split('\n')[0]).toBe('12 new users:');
    expect(text).toContain('• New user: user0 (u0@example.com)');
    expect(records[0].detail).toMatchObject({ digestOf: 12 });
  });

  it('digest: a template that hits its render limit for one user fails that delivery only', async () => {
    const app = await boot({ text: '{{ user.email }}{% for i in (1..user.user_metadata.n) %}xx{% endfor %}', digest: { maxWaitMs: 5_000, maxItems: 3 } });
    await app.register('acme', [
      { email: 'a@example.com', user_metadata: { n: 1 } },
      { email: 'bomb@example.com', user_metadata: { n: 100_000_000 } },
      { email: 'b@example.com', user_metadata: { n: 2 } },
    ]);
    const records = await app.settled(5000);
    const dead = records.filter((r) => r.status === 'dead');
    expect(dead).toHaveLength(1);
    expect(dead[0].lastError).toMatch(/^TEMPLATE_FAILED: the text template failed: .*limit/);
    expect(slack.posted()).toHaveLength(1);
    expect(slack.posted()[0].payload!.text).toBe('2 new users:\n• a@example.comxx\n• b@example.comxxxx');
  });

  it('rejects a bad template or a plain-http non-loopback URL at config load, naming the field', async () => {
    await expect(boot({ text: 'Hi {{ user.email ' })).rejects.toThrow(/tenants\.acme\.connectors\[0\]\.text: invalid template/);
    await expect(boot({}, 'http://hooks.slack.com/services/T/B/X')).rejects.toThrow(/connectors\[0\]\.webhookUrl: expected https/);
  });
});
