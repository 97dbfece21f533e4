import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
  type FetchFunction,
  type IncomingWebhookSendArguments,
} from '@slack/webhook';
import {
  defineConnector,
  fingerprint,
  parseRetryAfter,
  PermanentError,
  RateLimitedError,
  renderTree,
  RetryableError,
  templateField,
  templateScope,
  templateTreeField,
  z,
  type BatchItemResult,
  type ConnectorLogger,
  type HttpClient,
  type UserRegisteredEvent,
} from 'hookline/sdk';

/**
 * Slack mrkdwn control characters. Escaping what a template inserts means a user named `<!channel>`
 * shows as text instead of pinging the channel; the template's own text (links, mentions) is untouched.
 */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's error strings that no retry will fix, by status. */
const PERMANENT_SLACK_ERRORS: Readonly<Record<number, readonly string[]>> = {
  400: ['invalid_payload', 'no_text', 'user_not_found'],
  403: ['action_prohibited', 'posting_to_general_channel_denied'],
  404: ['channel_not_found', 'no_service', 'no_active_hooks'],
  410: ['channel_is_archived'],
};

/** Slack asks for no more than about one message per second per webhook. */
const SLACK_PACE = { requests: 1, perMs: 1000 } as const;

const OVERRIDES = ['channel', 'username', 'icon_emoji', 'icon_url'] as const;

const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'expected the webhook URL Slack gave you (https://hooks.slack.com/services/...)' })
  .refine((url) => {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' || isLoopback(hostname);
  }, 'expected https (plain http only to 127.0.0.1, ::1 or localhost, for local proxies and tests)');

const slackConfig = z
  .strictObject({
    webhookUrl,
    text: templateField({ escape: escapeMrkdwn }),
    blocks: templateTreeField({ escape: escapeMrkdwn })
      .refine((b) => Array.isArray(b), 'expected a list of Block Kit blocks')
      .optional(),
    digest: z
      .strictObject({
        maxWaitMs: z.number().int().min(0).max(60_000).default(2000),
        maxItems: z.number().int().min(2).max(50).default(20),
      })
      .optional(),
    channel: z.string().optional(),
    username: z.string().optional(),
    icon_emoji: z.string().optional(),
    icon_url: z.string().optional(),
  })
  .transform((config) => ({ ...config, fingerprint: fingerprint(config.webhookUrl) }));

export type SlackConfig = z.output<typeof slackConfig>;

/** Posts each registration to a Slack incoming webhook, paced per webhook, optionally as digests. */
export const slackConnector = defineConnector<SlackConfig>({
  type: 'slack',
  displayName: 'Slack',
  description: 'Posts a message to a Slack channel through an incoming webhook.',
  config: slackConfig,
  secrets: ['webhookUrl'],
  describe: (config) => ({
    host: new URL(config.webhookUrl).host,
    webhook: config.fingerprint,
    digest: config.digest ?? false,
    ...(overridesOf(config).length ? { ignoredOverrides: overridesOf(config) } : {}),
  }),
  rateLimit: (config) => ({ key: `slack:${config.fingerprint}`, ...SLACK_PACE }),
  // The origin, not the webhook: a tenant's Slack webhooks fail together when Slack is down.
  destination: (config) => new URL(config.webhookUrl).origin,
  async deliver(event, config, ctx) {
    warnOverrides(config, ctx.log);
    const { ts } = await post(config, messageFor(event, config), ctx.http, ctx.signal);
    return { detail: { webhook: config.fingerprint, ...(ts ? { ts } : {}) } };
  },
  batch: {
    // Only digests batch; without `digest` each registration is its own message (still paced).
    key: (config) => (config.digest ? `${config.fingerprint}:${config.digest.maxItems}:${config.digest.maxWaitMs}` : undefined),
    maxItems: (config) => config.digest?.maxItems ?? 1,
    maxWaitMs: (config) => config.digest?.maxWaitMs ?? 0,
    async deliverBatch(items, ctx): Promise<BatchItemResult[]> {
      const config = items[0].config;
      warnOverrides(config, ctx.log);
      // Rendered one by one: a template that hits a render limit fails its own delivery, not the digest.
      const lines = items.map((item) => {
        try {
          return { line: item.config.text.render(templateScope(item.event)) };
        } catch (error) {
          return { error: new PermanentError(`the text template failed: ${(error as Error).message}`, { code: 'TEMPLATE_FAILED' }) };
        }
      });
      const ok = items.filter((_, i) => lines[i].line !== undefined);
      if (ok.length === 1) await post(config, messageFor(ok[0].event, ok[0].config), ctx.http, ctx.signal);
      else if (ok.length > 1) await post(config, digestOf(lines.flatMap((l) => (l.line === undefined ? [] : [l.line])), config), ctx.http, ctx.signal);
      return lines.map((l) => (l.error ? { ok: false, error: l.error } : { ok: true, detail: { webhook: config.fingerprint, digestOf: ok.length } }));
    },
  },
});

function messageFor(event: UserRegisteredEvent, config: SlackConfig): IncomingWebhookSendArguments {
  const scope = templateScope(event);
  const message: IncomingWebhookSendArguments = { text: config.text.render(scope) };
  if (config.blocks) message.blocks = renderTree(config.blocks, scope) as IncomingWebhookSendArguments['blocks'];
  return withOverrides(message, config);
}

/** One message for many registrations: a count, then each one's rendered `text` on its own line. No blocks. */
function digestOf(lines: string[], config: SlackConfig): IncomingWebhookSendArguments {
  const text = `${lines.length} new users:\n${lines.map((line) => `• ${line.replace(/\n+/g, ' ')}`).join('\n')}`;
  return withOverrides({ text: text.length > 39_000 ? text.slice(0, 39_000) + '\n…' : text }, config);
}

function withOverrides(message: IncomingWebhookSendArguments, config: SlackConfig): IncomingWebhookSendArguments {
  for (const key of overridesOf(config)) message[key] = config[key];
  return message;
}

/**
 * Sends through the real client, with a `fetch` that keeps the last response: the client's errors carry
 * status and body, not headers, and a 429's Retry-After is in the headers.
 */
async function post(
  config: SlackConfig,
  message: IncomingWebhookSendArguments,
  http: HttpClient,
  signal: AbortSignal,
): Promise<{ ts?: string }> {
  let last: Response | undefined;
  const keepingFetch: FetchFunction = async (url, init) => {
    last = await http.fetch(url, init as RequestInit);
    return last as unknown as Awaited<ReturnType<FetchFunction>>;
  };
  const webhook = new IncomingWebhook(config.webhookUrl, {
    fetch: keepingFetch,
    // The attempt's timeout (the consumer's `timeoutMs`) aborts the request through the delivery's signal.
    timeout: 0,
    retryConfig: { retries: 0 },
  });
  try {
    await webhook.send(message);
    return {};
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw classifySlackError(error, last?.headers);
  }
}

/** Slack's answer → retry or not, with Slack's error string on the record (never the URL). */
export function classifySlackError(error: unknown, headers?: Headers): Error {
  if (error instanceof IncomingWebhookHTTPError) {
    const status = error.statusCode;
    const body = String(error.body ?? '').slice(0, 200).trim() || error.statusMessage || 'no body';
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headers?.get('retry-after')) ?? SLACK_PACE.perMs;
      return new RateLimitedError(`Slack rate-limited the webhook (429 ${body}); retry after ${Math.ceil(retryAfterMs / 1000)} s`, {
        retryAfterMs,
      });
    }
    if (status >= 500) return new RetryableError(`Slack answered ${status}: ${body}`, { code: 'SLACK_UNAVAILABLE' });
    const known = PERMANENT_SLACK_ERRORS[status]?.includes(body);
    return new PermanentError(`Slack answered ${status}: ${body}${known ? '' : ' (not a known Slack error)'}`, {
      code: 'SLACK_REJECTED',
    });
  }
  if (error instanceof IncomingWebhookRequestError) {
    const original = error.original as Error & { cause?: { code?: string } };
    if (original instanceof RetryableError || original instanceof PermanentError) return original;
    const why = original?.cause?.code ?? (original?.name === 'TimeoutError' ? 'timed out' : original?.message);
    return new RetryableError(`request to Slack failed: ${why}`, { code: 'SLACK_UNREACHABLE' });
  }
  return error instanceof Error ? error : new Error(String(error));
}

const warned = new WeakSet<object>();
function warnOverrides(config: SlackConfig, log: ConnectorLogger): void {
  const overrides = overridesOf(config);
  if (overrides.length === 0 || warned.has(config)) return;
  warned.add(config);
  log.warn('Slack apps\' incoming webhooks ignore channel/username/icon overrides; the message goes to the webhook\'s own channel', {
    overrides,
  });
}

function overridesOf(config: SlackConfig): (typeof OVERRIDES)[number][] {
  return OVERRIDES.filter((key) => config[key] !== undefined);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
