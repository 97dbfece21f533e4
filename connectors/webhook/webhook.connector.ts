import { createHmac } from 'node:crypto';
import { defineConnector, fingerprint, z, type UserRegisteredEvent } from 'hookline/sdk';

const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

/**
 * Signs as the Standard Webhooks spec says (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the
 * secret's bytes), with Node's native HMAC: the spec's reference library hashes in JavaScript.
 */
class Signer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  }

  sign(id: string, timestamp: Date, body: string): string {
    return `v1,${createHmac('sha256', this.key).update(`${id}.${Math.floor(timestamp.getTime() / 1000)}.`).update(body).digest('base64')}`;
  }
}

/**
 * The JSON bodies of the latest events, each made once however many webhooks its event goes to (they go
 * out together). Only the latest, for a second at most, not one per event still alive: an event that waits
 * for another consumer's turn (a paced Slack digest, say) would otherwise keep its body as long, and an
 * erased user's body must not outlive its event by more than that.
 */
const bodies = new Map<UserRegisteredEvent, string>();
const RECENT_BODIES = 64;
const BODY_KEPT_MS = 1_000;
let forgetBodies: NodeJS.Timeout | undefined;

function bodyOf(event: UserRegisteredEvent): string {
  let body = bodies.get(event);
  if (body === undefined) {
    body = JSON.stringify({ type: 'user.registered', timestamp: event.occurredAt, data: event });
    bodies.set(event, body);
    if (bodies.size > RECENT_BODIES) bodies.delete(bodies.keys().next().value!);
    forgetBodies ??= setTimeout(() => {
      bodies.clear();
      forgetBodies = undefined;
    }, BODY_KEPT_MS).unref();
  }
  return body;
}

const signingSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{24,}={0,2}$/, 'expected a Standard Webhooks secret: "whsec_" followed by base64 (at least 18 bytes)');

const webhookConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  // A list while a secret is rotated: every one signs (Standard Webhooks sends several signatures), so
  // receivers that still know only the old secret keep verifying.
  secret: z
    .union([signingSecret, z.array(signingSecret).min(1, 'expected at least one secret').max(5, 'expected at most 5 secrets')])
    .transform((value) => {
      const secrets = Array.isArray(value) ? value : [value];
      return { secret: secrets[0], signers: secrets.map((s) => new Signer(s)) };
    }),
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
  rotatableSecrets: ['secret'],
  describe: (config) => ({
    host: new URL(config.url).host,
    secret: fingerprint(config.secret.secret),
  }),
  destination: (config) => new URL(config.url).origin,
  async deliver(event, config, ctx) {
    const body = bodyOf(event);
    const timestamp = new Date();
    const response = await ctx.http.request({
      method: 'POST',
      url: config.url,
      headers: {
        ...config.headers,
        'content-type': 'application/json',
        'webhook-id': ctx.delivery.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': config.secret.signers.map((s) => s.sign(ctx.delivery.id, timestamp, body)).join(' '),
      },
      body,
    });
    return { detail: { status: response.status } };
  },
});
