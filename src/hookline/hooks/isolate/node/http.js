// node:http and node:https request/get for hooks, over the sandbox's fetch (so the same allow-list,
// private-address rules and limits apply): a ClientRequest that collects the body and sends it on
// end(), and an IncomingMessage (a Readable) with statusCode, headers and the body as 'data'/'end'.
// Runs inside the isolate.
import { Buffer } from 'buffer';
import EventEmitter from 'events';
import { Readable } from 'readable-stream';

const CONNECTION_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer'];

export const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
export const STATUS_CODES = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Agents have no effect here (the bridge makes the connection); kept so code that passes one works. */
export class Agent extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = options;
    this.keepAlive = !!options.keepAlive;
  }

  destroy() {}
}

export class IncomingMessage extends Readable {
  constructor(response, url) {
    super();
    this.statusCode = response.status;
    this.statusMessage = response.statusText || STATUS_CODES[response.status] || '';
    this.httpVersion = '1.1';
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.url = url;
    this.headers = {};
    this.rawHeaders = [];
    response.headers.forEach((value, name) => {
      this.rawHeaders.push(name, value);
      if (name === 'set-cookie') this.headers[name] = value.split(/,(?=\s*[^;,=\s]+=)/).map((v) => v.trim());
      else this.headers[name] = value;
    });
    this.trailers = {};
    this.rawTrailers = [];
    this.complete = false;
    this.socket = this.connection = { remoteAddress: undefined, encrypted: url.startsWith('https:') };
  }

  _read() {}

  setTimeout(_ms, callback) {
    if (typeof callback === 'function') this.once('timeout', callback);
    return this;
  }
}

function headersOf(options) {
  const out = {};
  const raw = options.headers || {};
  const entries = Array.isArray(raw) ? pairs(raw) : Object.entries(raw);
  for (const [name, value] of entries) if (value !== undefined) out[String(name).toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  if (options.auth && !out.authorization) out.authorization = 'Basic ' + Buffer.from(String(options.auth)).toString('base64');
  return out;
}

function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function urlOf(options, defaultProtocol) {
  const protocol = options.protocol || defaultProtocol;
  const host = options.hostname || (options.host ? String(options.host).replace(/:\d+$/, '') : 'localhost');
  const hostText = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = options.port ? `:${options.port}` : '';
  return `${protocol}//${hostText}${port}${options.path || '/'}`;
}

export class ClientRequest extends EventEmitter {
  constructor(url, options, callback) {
    super();
    this._url = url;
    this.method = String(options.method || 'GET').toUpperCase();
    this.path = options.path || new URL(url).pathname + new URL(url).search;
    this.host = options.hostname || options.host;
    this.protocol = options.protocol;
    this._headers = headersOf(options);
    this._chunks = [];
    this._ended = false;
    this._aborted = false;
    this.destroyed = false;
    this.writable = true;
    this.finished = false;
    this.reusedSocket = false;
    this.socket = this.connection = { setTimeout() {}, setNoDelay() {}, setKeepAlive() {}, destroy() {}, on() {}, once() {} };
    this._controller = new AbortController();
    this._timeoutMs = options.timeout;
    if (options.signal) {
      if (options.signal.aborted) queueMicrotask(() => this.destroy(abortError()));
      else options.signal.addEventListener('abort', () => this.destroy(abortError()), { once: true });
    }
    if (typeof callback === 'function') this.once('response', callback);
  }

  setHeader(name, value) {
    this._headers[String(name).toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    return this;
  }

  getHeader(name) {
    return this._headers[String(name).toLowerCase()];
  }

  getHeaders() {
    return { ...this._headers };
  }

  getHeaderNames() {
    return Object.keys(this._headers);
  }

  hasHeader(name) {
    return String(name).toLowerCase() in this._headers;
  }

  removeHeader(name) {
    delete this._headers[String(name).toLowerCase()];
  }

  flushHeaders() {}

  setNoDelay() {}

  setSocketKeepAlive() {}

  setTimeout(ms, callback) {
    this._timeoutMs = ms;
    if (typeof callback === 'function') this.once('timeout', callback);
    return this;
  }

  write(chunk, encoding, callback) {
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    if (this._ended) {
      const error = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
      queueMicrotask(() => this.emit('error', error));
      return false;
    }
    if (chunk !== undefined && chunk !== null) this._chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding || 'utf8') : Buffer.from(chunk));
    if (typeof callback === 'function') queueMicrotask(callback);
    return true;
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') [callback, chunk] = [chunk, undefined];
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    if (this._ended) return this;
    if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    this._ended = true;
    this.writable = false;
    this.finished = true;
    queueMicrotask(() => {
      this.emit('finish');
      if (typeof callback === 'function') callback();
      this._send();
    });
    return this;
  }

  abort() {
    if (this._aborted) return;
    this._aborted = true;
    this.aborted = true;
    this._controller.abort();
    queueMicrotask(() => {
      this.emit('abort');
      this.emit('close');
    });
  }

  destroy(error) {
    if (this.destroyed) return this;
    this.destroyed = true;
    this._controller.abort();
    queueMicrotask(() => {
      if (error) this.emit('error', error);
      this.emit('close');
    });
    return this;
  }

  _send() {
    if (this._aborted || this.destroyed) return;
    const body = this._chunks.length > 0 ? Buffer.concat(this._chunks).toString('utf8') : undefined;
    let timer;
    if (this._timeoutMs > 0) {
      timer = setTimeout(() => {
        this.emit('timeout');
      }, this._timeoutMs);
    }
    // The bridge sets the framing and connection headers itself (callers often set content-length).
    const headers = { ...this._headers };
    for (const name of CONNECTION_HEADERS) delete headers[name];
    const init = { method: this.method, headers, signal: this._controller.signal };
    if (body !== undefined && this.method !== 'GET' && this.method !== 'HEAD') init.body = body;
    fetch(this._url, init).then(
      async (response) => {
        const text = this.method === 'HEAD' ? '' : await response.text();
        if (timer !== undefined) clearTimeout(timer);
        if (this._aborted || this.destroyed) return;
        const message = new IncomingMessage(response, this._url);
        message.req = this;
        this.res = message;
        if (this.listenerCount('response') === 0) message.resume();
        this.emit('response', message);
        if (text.length > 0) message.push(Buffer.from(text, 'utf8'));
        message.complete = true;
        message.push(null);
        queueMicrotask(() => this.emit('close'));
      },
      (error) => {
        if (timer !== undefined) clearTimeout(timer);
        if (this._aborted) return;
        if (this.destroyed && error && error.name === 'AbortError') return;
        this.destroyed = true;
        this.emit('error', error);
        this.emit('close');
      },
    );
  }
}

function abortError() {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  error.code = 'ABORT_ERR';
  return error;
}

function normalise(args, defaultProtocol) {
  let [url, options, callback] = args;
  if (typeof options === 'function') [callback, options] = [options, undefined];
  let base = {};
  if (typeof url === 'string' || url instanceof URL) {
    const parsed = new URL(String(url));
    base = { protocol: parsed.protocol, hostname: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port, path: parsed.pathname + parsed.search };
    if (parsed.username) base.auth = decodeURIComponent(parsed.username) + ':' + decodeURIComponent(parsed.password);
  } else {
    [options, callback] = [url, typeof options === 'function' ? options : callback];
  }
  const merged = { ...base, ...(options || {}) };
  if (merged.protocol && merged.protocol !== defaultProtocol) {
    const error = new TypeError(`Protocol "${merged.protocol}" not supported. Expected "${defaultProtocol}"`);
    error.code = 'ERR_INVALID_PROTOCOL';
    throw error;
  }
  return { url: urlOf(merged, defaultProtocol), options: merged, callback };
}

export function createModule(defaultProtocol) {
  const globalAgent = new Agent();
  function request(...args) {
    const { url, options, callback } = normalise(args, defaultProtocol);
    return new ClientRequest(url, options, callback);
  }
  function get(...args) {
    const req = request(...args);
    req.end();
    return req;
  }
  return { request, get, Agent, globalAgent, ClientRequest, IncomingMessage, METHODS, STATUS_CODES, maxHeaderSize: 16384 };
}
