import type { IncomingMessage } from 'node:http';
import { FakeServer, type Reply } from './fake-server';

/**
 * Slack incoming webhooks, as documented (api.slack.com/messaging/webhooks, "Handling errors"):
 * POST JSON to `/services/T…/B…/…` → 200 `ok`; 400 `invalid_payload` / `no_text`; 403
 * `action_prohibited` / `posting_to_general_channel_denied`; 404 `channel_not_found` / `no_service` /
 * `no_active_hooks`; 410 `channel_is_archived`; 429 with `Retry-After` past about one message per second
 * per webhook (short bursts allowed: a token bucket of `burst`, refilled at `perSecond`).
 *
 * Switches: those of {@link FakeServer}, plus `hookError(path, error)` to make one webhook answer a Slack
 * error for good (`channel_is_archived` → 410, ...), and the bucket size through the constructor.
 */
export interface SlackRequest {
  at: number;
  path: string;
  status: number | 'reset';
  body: string;
  payload?: { text?: string; blocks?: unknown[]; [key: string]: unknown };
  /** The W3C trace context the request carried, if any. */
  traceparent?: string;
}

const STATUS_OF: Record<string, number> = {
  invalid_payload: 400,
  no_text: 400,
  user_not_found: 400,
  action_prohibited: 403,
  posting_to_general_channel_denied: 403,
  channel_not_found: 404,
  no_service: 404,
  no_active_hooks: 404,
  channel_is_archived: 410,
};

export class SlackFake extends FakeServer {
  /** Every request, in arrival order. */
  readonly requests: SlackRequest[] = [];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly errors = new Map<string, string>();

  constructor(private readonly limits: { burst: number; perSecond: number } = { burst: 2, perSecond: 1 }) {
    super();
  }

  /** A webhook URL served by this fake (any path under /services/ is a webhook). */
  webhook(name = 'B0001'): string {
    return `${this.origin}/services/T0000/${name}/xoxsecret${name}`;
  }

  hookError(url: string, error: keyof typeof STATUS_OF): this {
    this.errors.set(new URL(url).pathname, error);
    return this;
  }

  /** Messages Slack accepted (200), per webhook path. */
  posted(url?: string): SlackRequest[] {
    const path = url && new URL(url).pathname;
    return this.requests.filter((r) => r.status === 200 && (!path || r.path === path));
  }

  count(status: number): number {
    return this.requests.filter((r) => r.status === status).length;
  }

  protected handle(req: IncomingMessage, body: string): Reply {
    const path = req.url ?? '/';
    if (req.method !== 'POST' || !path.startsWith('/services/')) return { status: 404, body: 'no_service' };
    const error = this.errors.get(path);
    if (error) return { status: STATUS_OF[error], body: error };
    if (!this.take(path)) return { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } };
    let payload: SlackRequest['payload'];
    try {
      payload = JSON.parse(body);
    } catch {
      return { status: 400, body: 'invalid_payload' };
    }
    if (!payload || typeof payload !== 'object') return { status: 400, body: 'invalid_payload' };
    if (!payload.text && !(Array.isArray(payload.blocks) && payload.blocks.length > 0)) return { status: 400, body: 'no_text' };
    return { status: 200, body: 'ok' };
  }

  protected record(req: IncomingMessage, body: string, reply: Reply | 'reset'): void {
    let payload: SlackRequest['payload'];
    try {
      payload = JSON.parse(body);
    } catch {
      payload = undefined;
    }
    const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
    this.requests.push({ at: Date.now(), path: req.url ?? '/', status: reply === 'reset' ? 'reset' : reply.status, body, payload, ...(traceparent ? { traceparent } : {}) });
  }

  protected failureBody(status: number): unknown {
    return status === 429 ? 'rate_limited' : status >= 500 ? 'internal_error' : 'invalid_payload';
  }

  private take(path: string): boolean {
    const now = Date.now();
    const bucket = this.buckets.get(path) ?? { tokens: this.limits.burst, at: now };
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limits.perSecond);
    bucket.at = now;
    this.buckets.set(path, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
