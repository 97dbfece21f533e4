import { Agent, request as send } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { ConnectorRequestError, RetryableError } from '../core/errors/delivery.errors';
import { parseRetryAfter } from '../core/retry/retry.policy';
import type { HttpClient, HttpRequest, HttpResponse } from './sdk';
import { errorMessage } from '../core/util/error-message';
import { propagation } from '@opentelemetry/api';
import type { RequestTrace } from '../core/telemetry/attempt-trace';

const MAX_ERROR_BODY = 500;

/**
 * The connection pools of `request`: undici keeps one per origin, with keep-alive, shared by every
 * delivery. Its request API skips WHATWG fetch's streams and objects, the bulk of a small POST's cost.
 */
const pools = new Agent({ keepAliveTimeout: 10_000 });

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
    const requestSignal = req.timeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(req.timeoutMs)]) : signal;
    let res: Awaited<ReturnType<typeof send>>;
    let text: string;
    try {
      res = await send(req.url, {
        method: (req.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET',
        headers,
        body,
        signal: requestSignal,
        dispatcher: pools,
      });
      text = await res.body.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new RetryableError(`request to ${hostOf(req.url)} failed: ${networkReason(requestSignal.aborted ? requestSignal.reason : error)}`, { cause: error });
    }
    const status = res.statusCode;
    trace?.status(status);
    if (status < 200 || status >= 300) {
      const retryable = isRetryableStatus(status);
      throw new ConnectorRequestError(status, `${hostOf(req.url)} answered ${status}: ${text.slice(0, MAX_ERROR_BODY)}`, {
        retryable,
        retryAfterMs: retryable ? parseRetryAfter(first(res.headers['retry-after']) ?? null) : undefined,
        body: text.slice(0, MAX_ERROR_BODY),
      });
    }
    const raw = res.headers;
    let headersObject: Headers | undefined;
    return {
      status,
      // Built on first use: most connectors read only the status.
      get headers() {
        return (headersObject ??= toHeaders(raw));
      },
      text,
      json: <T>() => JSON.parse(text) as T,
    };
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

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && !code.startsWith('UND_ERR_')) return code;
  if ((error as Error)?.name === 'TimeoutError') return 'timed out';
  return errorMessage(error);
}
