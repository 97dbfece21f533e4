import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { SecureContext } from 'node:tls';
import { isPrivateAddress, matchAllowHost, normaliseHost, type AllowHostRule } from './host-policy';
import { SANDBOX_LIMITS } from '../host/sandbox.limits';

/** A hook's request, as copied out of the isolate. */
export interface BridgeRequest {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body?: string;
}

export interface BridgeResponse {
  status: number;
  statusText: string;
  url: string;
  headers: Array<[string, string]>;
  body: string;
}

/** Why the policy refused a request: passed to the hook as the error's `code`, as libraries pass system codes on. */
export type FetchRefusalCode = 'HOST_NOT_ALLOWED' | 'ADDRESS_NOT_ALLOWED' | 'REQUEST_NOT_ALLOWED' | 'RESPONSE_TOO_LARGE' | 'TOO_MANY_REDIRECTS';

/** A request the policy refuses. Its message is shown to the hook and logged. */
export class FetchRefusedError extends Error {
  override readonly name = 'FetchRefusedError';
  constructor(
    message: string,
    readonly code: FetchRefusalCode = 'REQUEST_NOT_ALLOWED',
  ) {
    super(message);
  }
}

/**
 * A request that was allowed but failed: the system error's own message and code
 * (`connect ECONNREFUSED 127.0.0.1:9`, `ECONNREFUSED`), as Node's HTTP clients report it.
 */
export class FetchFailedError extends Error {
  override readonly name = 'FetchFailedError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** TLS verification failures: the certificate's issuer is not trusted (a private CA, most often). */
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `fetch` for hooks, performed outside the isolate. Only hosts in `allowHosts`; every address is checked
 * after DNS resolution and the connection is made to the checked address (no DNS rebinding); private
 * addresses only for an exact entry naming that host; redirects re-checked hop by hop.
 */
export async function performFetch(
  request: BridgeRequest,
  rules: readonly AllowHostRule[],
  signal: AbortSignal,
  resolver: Resolver = defaultResolver,
  trust?: { secureContext?: SecureContext },
): Promise<BridgeResponse> {
  const method = String(request.method || 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new FetchRefusedError(`fetch: unsupported method ${JSON.stringify(method)}`);
  const headers = checkHeaders(request.headers);
  if (request.body !== undefined && Buffer.byteLength(request.body) > SANDBOX_LIMITS.maxFetchRequestBytes) {
    throw new FetchRefusedError(`fetch: request body larger than ${SANDBOX_LIMITS.maxFetchRequestBytes} bytes`);
  }
  let url = parseUrl(request.url);
  let current = { method, body: request.body, headers };
  for (let hop = 0; ; hop++) {
    const rule = authorise(url, rules);
    const response = await send(url, current.method, current.headers, current.body, checkedLookup(rule, resolver), signal, trust?.secureContext);
    const location = response.headers.find(([k]) => k === 'location')?.[1];
    if (![301, 302, 303, 307, 308].includes(response.status) || !location) return response;
    if (hop >= SANDBOX_LIMITS.maxRedirects) throw new FetchRefusedError(`fetch: more than ${SANDBOX_LIMITS.maxRedirects} redirects`, 'TOO_MANY_REDIRECTS');
    const next = parseUrl(new URL(location, url).href);
    // As WHATWG fetch does: credentials never follow a redirect to another origin.
    if (next.origin !== url.origin) current = { ...current, headers: withoutCredentials(current.headers) };
    url = next;
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      current = { ...current, method: 'GET', body: undefined };
    }
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(String(text));
  } catch {
    throw new FetchRefusedError(`fetch: invalid URL ${JSON.stringify(String(text).slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchRefusedError(`fetch: only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new FetchRefusedError('fetch: credentials in the URL are not allowed');
  return url;
}

/** The rule allowing the URL's host; for a literal IP, its address is checked here (DNS is not involved). */
function authorise(url: URL, rules: readonly AllowHostRule[]): AllowHostRule {
  const host = normaliseHost(url.hostname);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const rule = matchAllowHost(rules, host, port);
  if (!rule) throw new FetchRefusedError(`fetch: host ${hostPort(host, port)} is not in allowHosts`, 'HOST_NOT_ALLOWED');
  if (isIP(host) && isPrivateAddress(host) && !unlocksPrivate(rule, host)) {
    throw new FetchRefusedError(`fetch: ${host} is a private or reserved address`, 'ADDRESS_NOT_ALLOWED');
  }
  return rule;
}

/** Only an exact entry naming this very host or IP unlocks a private address; a wildcard never does. */
function unlocksPrivate(rule: AllowHostRule, host: string): boolean {
  return !rule.wildcard && rule.host === host;
}

/**
 * Link-local addresses (cloud metadata services live there) are unlocked only by an entry naming the
 * literal address, never by a host name: a name the tenant controls could resolve to one.
 */
function unlocksAddress(rule: AllowHostRule, host: string, address: string): boolean {
  if (!unlocksPrivate(rule, host)) return false;
  const linkLocal = /^169\.254\./.test(address) || /^fe[89ab]/i.test(address) || address.toLowerCase() === 'fd00:ec2::254';
  return !linkLocal || host === address;
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name)));
}

function checkHeaders(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(raw)) return out;
  for (const pair of raw.slice(0, 100)) {
    const [name, value] = [String(pair?.[0] ?? ''), String(pair?.[1] ?? '')];
    if (!TOKEN.test(name)) throw new FetchRefusedError(`fetch: invalid header name ${JSON.stringify(name.slice(0, 100))}`);
    if (/[\r\n\0]/.test(value)) throw new FetchRefusedError(`fetch: header ${name} contains a line break`);
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) throw new FetchRefusedError(`fetch: header ${name} cannot be set`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** Resolves a host name to all its addresses (DNS by default; tests pass their own). */
export type Resolver = (hostname: string, family?: number) => Promise<LookupAddress[]>;

const defaultResolver: Resolver = (hostname, family) => dnsLookup(hostname, { all: true, family: family ?? 0 });

/** DNS lookup that keeps only addresses the rule allows, so the socket connects to a checked address. */
function checkedLookup(rule: AllowHostRule, resolver: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, options.family as number | undefined).then((addresses) => {
      const host = normaliseHost(hostname);
      const allowed = addresses.filter((a) => !isPrivateAddress(a.address) || unlocksAddress(rule, host, a.address));
      if (allowed.length === 0) {
        const refused = new FetchRefusedError(`fetch: ${hostname} resolves to a private or reserved address`, 'ADDRESS_NOT_ALLOWED');
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    }, (error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  lookup: LookupFunction,
  signal: AbortSignal,
  secureContext?: SecureContext,
): Promise<BridgeResponse> {
  const https = url.protocol === 'https:';
  const requestFn = https ? httpsRequest : httpRequest;
  const timeout = AbortSignal.timeout(SANDBOX_LIMITS.fetchTimeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  return new Promise<BridgeResponse>((resolve, reject) => {
    const req = requestFn(
      url,
      { method, headers: { ...headers, 'accept-encoding': 'identity' }, lookup, signal: combined, ...(https && secureContext ? { secureContext } : {}) },
      (res) => collect(res, url, resolve, reject),
    );
    req.on('error', (error: Error) => {
      if (error instanceof FetchRefusedError) return reject(error);
      if (timeout.aborted) {
        return reject(new FetchFailedError(`fetch: ${url.host} did not answer within ${SANDBOX_LIMITS.fetchTimeoutMs} ms`, 'ETIMEDOUT'));
      }
      if (signal.aborted) return reject(new FetchFailedError('fetch: cancelled, the invocation is over', 'ABORT_ERR'));
      const code = (error as NodeJS.ErrnoException).code;
      if (code && UNTRUSTED_CERTIFICATE.has(code)) {
        return reject(new FetchFailedError(`fetch: the TLS certificate of ${url.host} is not trusted (${error.message}); ` +
          'if it comes from a private CA, add that CA with the sandbox `ca` option or NODE_EXTRA_CA_CERTS', code));
      }
      reject(new FetchFailedError(error.message || `request to ${url.host} failed`, (error as NodeJS.ErrnoException).code));
    });
    req.end(body);
  });
}

function collect(
  res: IncomingMessage,
  url: URL,
  resolve: (r: BridgeResponse) => void,
  reject: (e: Error) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > SANDBOX_LIMITS.maxFetchResponseBytes) {
      res.destroy();
      reject(new FetchRefusedError(`fetch: response of ${url.host} larger than ${SANDBOX_LIMITS.maxFetchResponseBytes} bytes`, 'RESPONSE_TOO_LARGE'));
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', (error) => reject(new FetchFailedError(`fetch: response of ${url.host} failed: ${error.message}`, (error as NodeJS.ErrnoException).code)));
  res.on('end', () => {
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
    resolve({
      status: res.statusCode ?? 0,
      statusText: res.statusMessage ?? '',
      url: url.href,
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
  });
}
