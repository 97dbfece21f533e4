import { Webhook } from 'standardwebhooks';
import { defineConnector, fingerprint, z } from 'hookline/sdk';

const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

const webhookConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{24,}={0,2}$/, 'expected a Standard Webhooks secret: "whsec_" followed by base64 (at least 18 bytes)')
    .transform((secret) => ({ secret, signer: new Webhook(secret) })),
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a header name'),
      z.string().refine((v) => !/[\r\n]/.test(v), 'header values cannot contain line breaks'),
    )
    .refine((h) => Object.keys(h).every((k) => !FORBIDDEN_HEADERS.has(k.toLowerCase())), {
      message: `these headers are set by Hookline: ${[...FORBIDDEN_HEADERS].join(', ')}`,
    })
    .default({}),
});

export type WebhookConfig = z.infer<typeof webhookConfig>;

/**
 * POSTs the event as JSON, signed as the Standard Webhooks spec says. `webhook-id` is the delivery id:
 * stable across retries, so receivers can de-duplicate.
 */
export const webhookConnector = defineConnector<WebhookConfig>({
  type: 'webhook',
  displayName: 'Signed webhook',
  description: 'POSTs each event as JSON to a URL, signed with Standard Webhooks (HMAC-SHA256).',
  config: webhookConfig,
  secrets: ['secret'],
  describe: (config) => ({
    host: new URL(config.url).host,
    secret: fingerprint(config.secret.secret),
  }),
  destination: (config) => new URL(config.url).origin,
  async deliver(event, config, ctx) {
    const body = JSON.stringify({ type: 'user.registered', timestamp: event.occurredAt, data: event });
    const timestamp = new Date();
    const response = await ctx.http.request({
      method: 'POST',
      url: config.url,
      headers: {
        ...config.headers,
        'content-type': 'application/json',
        'webhook-id': ctx.delivery.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': config.secret.signer.sign(ctx.delivery.id, timestamp, body),
      },
      body,
    });
    return { detail: { status: response.status } };
  },
});
