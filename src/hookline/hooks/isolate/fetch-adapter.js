// Wraps the sandbox's fetch primitive (string URL, plain-object headers, string body) into the
// WHATWG fetch that scripts and bundled libraries expect. Runs inside the isolate.
import { encodeMultipart, isFormData } from './form-data.js';

export function abortError(reason) {
  if (reason instanceof Error) return reason;
  const error = new Error(reason === undefined ? 'This operation was aborted' : String(reason));
  error.name = 'AbortError';
  error.code = 20;
  return error;
}

function requestUrl(input) {
  if (typeof input === 'string') return input;
  if (input && typeof input.href === 'string') return input.href;
  if (input && typeof input.url === 'string') return input.url;
  return String(input);
}

function encodeBody(body, headers) {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof globalThis.URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return body.toString();
  }
  if (isFormData(body)) {
    const encoded = encodeMultipart(body);
    headers.set('content-type', encoded.contentType);
    return encoded.body;
  }
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new TextDecoder().decode(body);
  // Hookline's fetch has always sent a plain object or array as JSON (docs/hooks.md); keep that.
  const proto = Object.getPrototypeOf(body);
  if (Array.isArray(body) || proto === Object.prototype || proto === null) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return JSON.stringify(body);
  }
  throw new TypeError(
    'fetch in a Hookline hook sends text bodies only: pass a string, a plain object or array (sent as JSON), URLSearchParams or FormData',
  );
}

/** Reads any header shape the primitive may return: a Headers-like object, [name, value] pairs or a plain object. */
function copyHeaders(source, Headers) {
  const headers = new Headers();
  if (!source) return headers;
  if (typeof source.forEach === 'function' && !Array.isArray(source)) {
    source.forEach((value, name) => headers.append(name, value));
  } else if (typeof source.entries === 'function' && !Array.isArray(source)) {
    for (const [name, value] of source.entries()) headers.append(name, value);
  } else if (Array.isArray(source)) {
    for (const [name, value] of source) headers.append(name, value);
  } else if (typeof source === 'object') {
    for (const name of Object.keys(source)) headers.append(name, source[name]);
  }
  // A primitive that only has get(name) cannot be enumerated: keep get() working through it.
  if (typeof source.get === 'function' && typeof source.forEach !== 'function' && typeof source.entries !== 'function') {
    const own = headers.get.bind(headers);
    headers.get = (name) => own(name) ?? source.get(name) ?? null;
    headers.has = (name) => headers.get(name) !== null;
  }
  return headers;
}

export class FetchResponse {
  constructor(raw, url, Headers) {
    this.status = raw.status;
    this.ok = raw.ok !== undefined ? Boolean(raw.ok) : raw.status >= 200 && raw.status < 300;
    this.statusText = raw.statusText ?? '';
    this.url = raw.url ?? url;
    this.redirected = Boolean(raw.redirected);
    this.type = 'basic';
    this.headers = copyHeaders(raw.headers, Headers);
    this.bodyUsed = false;
    let textPromise;
    this._text = () => (textPromise ??= Promise.resolve(raw.text()).then((t) => (t == null ? '' : String(t))));
  }
  text() {
    this.bodyUsed = true;
    return this._text();
  }
  async json() {
    return JSON.parse(await this.text());
  }
  async arrayBuffer() {
    return new TextEncoder().encode(await this.text()).buffer;
  }
  clone() {
    const copy = Object.create(FetchResponse.prototype);
    Object.assign(copy, this, { headers: copyHeaders(this.headers, this.headers.constructor), bodyUsed: false });
    return copy;
  }
}

export function createFetch(primitive, getHeaders) {
  return async function fetch(input, init) {
    const Headers = getHeaders();
    const options = init || {};
    const url = requestUrl(input);
    const method = String(options.method || (input && typeof input === 'object' && input.method) || 'GET').toUpperCase();
    const headers = new Headers(options.headers || (input && typeof input === 'object' && input.headers) || undefined);
    const body = encodeBody(options.body, headers);
    const signal = options.signal;
    if (signal && signal.aborted) throw abortError(signal.reason);
    const plainHeaders = {};
    headers.forEach((value, name) => {
      plainHeaders[name] = value;
    });
    const request = { method, headers: plainHeaders };
    if (body !== undefined) request.body = body;
    if (options.redirect !== undefined) request.redirect = options.redirect;
    let pending = Promise.resolve().then(() => primitive(url, request));
    if (signal && typeof signal.addEventListener === 'function') {
      // The host request cannot be recalled, but the caller stops waiting for it, as with a real fetch.
      pending = Promise.race([
        pending,
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError(signal.reason)))),
      ]);
    }
    return new FetchResponse(await pending, url, Headers);
  };
}
