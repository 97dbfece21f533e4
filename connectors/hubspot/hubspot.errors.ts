import { PermanentError, RateLimitedError, RetryableError, parseRetryAfter } from 'hookline/sdk';

/** What became of one record: succeeded (with what to record) or an error to classify. */
export type ItemVerdict = { detail: Record<string, unknown> } | { error: Error };

export function isSuccess(verdict: ItemVerdict): verdict is { detail: Record<string, unknown> } {
  return 'detail' in verdict;
}

interface HubSpotErrorBody {
  status?: string;
  category?: string;
  message?: string;
  policyName?: string;
  errorType?: string;
}

/** Per-record error categories worth another attempt; any other category is the record's own fault. */
const RETRYABLE_CATEGORIES = new Set(['RATE_LIMITS', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

const EXISTING_ID = /Existing ID:\s*(\d+)/i;

/** One failed record of a 207 (or 200 with errors). */
export function classifyHubSpotItemError(error: HubSpotErrorBody): ItemVerdict {
  const existing = EXISTING_ID.exec(error.message ?? '');
  if (existing) return { detail: { hubspotId: existing[1], created: false, existing: true } };
  const what = `HubSpot rejected the record: ${error.category ?? 'ERROR'}: ${error.message ?? 'no message'}`;
  if (error.category && RETRYABLE_CATEGORIES.has(error.category)) return { error: new RetryableError(what, { code: 'HUBSPOT_RETRYABLE' }) };
  return { error: new PermanentError(what, { code: 'HUBSPOT_REJECTED' }) };
}

/**
 * A whole request that failed: the client's ApiException (`code` is the HTTP status, `body` the parsed
 * error, `headers` lowercased), or a network error from node-fetch.
 */
export function classifyHubSpotResponse(thrown: unknown, now = Date.now()): ItemVerdict {
  const error = thrown as { code?: unknown; body?: unknown; headers?: Record<string, string>; type?: string; message?: string };
  if (typeof error?.code !== 'number') {
    const code = typeof error?.code === 'string' ? error.code : (error?.message ?? String(thrown));
    return { error: new RetryableError(`request to HubSpot failed: ${code}`, { code: 'HUBSPOT_UNREACHABLE', cause: thrown }) };
  }
  const status = error.code;
  const body = parseBody(error.body);
  const what = `${body.category ?? body.errorType ?? 'ERROR'}: ${body.message ?? 'no message'}`;
  if (status === 409) {
    const existing = EXISTING_ID.exec(body.message ?? '');
    if (existing) return { detail: { hubspotId: existing[1], created: false, existing: true } };
  }
  if (status === 429) {
    const retryAfterMs = rateLimitWindowMs(error.headers ?? {}, body, now);
    const policy = body.policyName ?? 'unknown policy';
    const daily = policy === 'DAILY' ? ' (daily limit reached: paused until the daily reset)' : '';
    return {
      error: new RateLimitedError(`HubSpot 429 ${policy}${daily}: ${body.message ?? ''}`.trim() + `; retry in ${Math.ceil(retryAfterMs / 1000)} s`, {
        retryAfterMs,
      }),
    };
  }
  if (status >= 500 || status === 408 || status === 0) {
    return { error: new RetryableError(`HubSpot answered ${status}: ${what}`, { code: 'HUBSPOT_UNAVAILABLE' }) };
  }
  const code = status === 401 || status === 403 ? 'HUBSPOT_UNAUTHORIZED' : 'HUBSPOT_REJECTED';
  return { error: new PermanentError(`HubSpot answered ${status}: ${what}`, { code }) };
}

/**
 * How long a 429 closes the token: Retry-After when sent; else the policy's window, as the
 * `X-HubSpot-RateLimit-*` headers give it; a DAILY limit lasts until the next midnight UTC (HubSpot resets
 * at midnight in the account's time zone, which the API does not tell; a 429 after that pauses again).
 */
export function rateLimitWindowMs(headers: Record<string, string>, body: HubSpotErrorBody, now = Date.now()): number {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return Math.max(retryAfter, 1000);
  switch (body.policyName) {
    case 'DAILY': {
      const midnight = new Date(now);
      midnight.setUTCHours(24, 0, 0, 0);
      return Math.max(60_000, midnight.getTime() - now);
    }
    case 'SECONDLY':
      return 1000;
    default: {
      const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
      return Number.isFinite(interval) && interval > 0 ? interval : 10_000;
    }
  }
}

function parseBody(body: unknown): HubSpotErrorBody {
  if (body && typeof body === 'object') return body as HubSpotErrorBody;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as HubSpotErrorBody;
    } catch {
      return { message: body.slice(0, 200) };
    }
  }
  return {};
}
