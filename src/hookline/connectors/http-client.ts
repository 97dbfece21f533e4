import { ConnectorRequestError, RetryableError } from '../core/errors/delivery.errors';
import { parseRetryAfter } from '../core/retry/retry.policy';
import type { HttpClient, HttpRequest, HttpResponse } from './sdk';
import { errorMessage } from '../core/util/error-message';
import { propagation } from '@opentelemetry/api';
import type { RequestTrace } from '../core/telemetry/attempt-trace';

const MAX_ERROR_BODY = 500;

/** True for statuses worth another attempt. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The HTTP client handed to connectors: fetch bound to the delivery's signal, with status classification.
 * With a `trace`, every request carries its W3C trace context (`traceparent`, `tracestate`, through the
 * host's propagator) and reports its status to it.
 */
export function createHttpClient(signal: AbortSignal, trace?: RequestTrace): HttpClient {
  const traceHeaders = (): Record<string, string> => {
    const headers: Record<string, string> = {};
    if (trace) propagation.inject(trace.context, headers);
    return headers;
  };
  const boundFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of Object.entries(traceHeaders())) if (!headers.has(name)) headers.set(name, value);
    const res = await fetch(input, { ...init, headers, signal: init?.signal ? AbortSignal.any([signal, init.signal]) : signal });
    trace?.status(res.status);
    return res;
  };

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...traceHeaders(), ...req.headers };
    let body: string | undefined;
    if (typeof req.body === 'string') body = req.body;
    else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    const signals = req.timeoutMs ? [signal, AbortSignal.timeout(req.timeoutMs)] : [signal];
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: req.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new RetryableError(`request to ${hostOf(req.url)} failed: ${networkReason(error)}`, { cause: error });
    }
    trace?.status(res.status);
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      const retryable = isRetryableStatus(res.status);
      throw new ConnectorRequestError(res.status, `${hostOf(req.url)} answered ${res.status}: ${text.slice(0, MAX_ERROR_BODY)}`, {
        retryable,
        retryAfterMs: retryable ? parseRetryAfter(res.headers.get('retry-after')) : undefined,
        body: text.slice(0, MAX_ERROR_BODY),
      });
    }
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  }

  return { request, fetch: boundFetch, traceHeaders };
}

/** Host only: URLs of connectors may carry secrets in their path (Slack webhooks do). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if ((error as Error)?.name === 'TimeoutError') return 'timed out';
  return errorMessage(error);
}
