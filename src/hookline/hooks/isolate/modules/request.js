// A facade for the legacy `request` package (2.88), which needs Node's http: the documented call
// forms over the sandbox's fetch. Runs inside the isolate.
import { stringify } from '../lib/qs.js';

const METHODS = { get: 'GET', head: 'HEAD', options: 'OPTIONS', post: 'POST', put: 'PUT', patch: 'PATCH', del: 'DELETE', delete: 'DELETE' };

function initParams(uri, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  const params = {};
  if (options && typeof options === 'object') Object.assign(params, options);
  if (typeof uri === 'string' || (uri && typeof uri.href === 'string')) params.uri = typeof uri === 'string' ? uri : uri.href;
  else if (uri && typeof uri === 'object') Object.assign(params, uri);
  if (callback !== undefined) params.callback = callback;
  return params;
}

function resolveUrl(options) {
  let url = options.uri || options.url;
  if (url && typeof url === 'object' && typeof url.href === 'string') url = url.href;
  if (typeof url !== 'string' || url === '') throw new Error('options.uri is a required argument');
  if (options.baseUrl) url = String(options.baseUrl).replace(/\/$/, '') + '/' + url.replace(/^\//, '');
  if (options.qs && Object.keys(options.qs).length > 0) {
    url += (url.includes('?') ? '&' : '?') + stringify(options.qs);
  }
  if (!/^https?:\/\//i.test(url)) throw new Error('Invalid URI "' + url + '"');
  return url;
}

function buildRequest(options) {
  const headers = {};
  for (const [name, value] of Object.entries(options.headers || {})) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  let body = options.body;
  if (options.form !== undefined) {
    body = typeof options.form === 'string' ? options.form : stringify(options.form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (options.json !== undefined && options.json !== false) {
    // As request does: json: <value> is the body; json: true stringifies the body, even a string.
    if (typeof options.json !== 'boolean') body = JSON.stringify(options.json);
    else if (body !== undefined) body = JSON.stringify(body);
    headers.accept ??= 'application/json';
    if (body !== undefined) headers['content-type'] ??= 'application/json';
  } else if (body !== undefined && typeof body !== 'string') {
    body = String(body);
  }
  if (options.auth) {
    const { user, username, pass, password, bearer } = options.auth;
    headers.authorization = bearer
      ? 'Bearer ' + (typeof bearer === 'function' ? bearer() : bearer)
      : 'Basic ' + btoa((user ?? username ?? '') + ':' + (pass ?? password ?? ''));
  }
  const method = String(options.method || (body !== undefined ? 'POST' : 'GET')).toUpperCase();
  return { method, headers, body };
}

function networkError(cause) {
  const error = new Error(cause && cause.message ? cause.message : String(cause));
  if (cause && cause.code) error.code = cause.code;
  if (cause && cause.name === 'TimeoutError') error.code = 'ETIMEDOUT';
  error.cause = cause;
  return error;
}

function perform(options) {
  const url = resolveUrl(options);
  const init = buildRequest(options);
  const controller = new AbortController();
  let timer;
  const exchange = fetch(url, { ...init, signal: controller.signal }).then(async (res) => {
    const text = await res.text();
    const headers = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let body = text;
    if (options.json !== undefined && options.json !== false && text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text; // request keeps the raw body when it is not JSON
      }
    }
    const href = res.url || url;
    return {
      statusCode: res.status,
      statusMessage: res.statusText,
      headers,
      body,
      request: { uri: new URL(href), href, method: init.method, headers: init.headers },
      toJSON() {
        return { statusCode: this.statusCode, body: this.body, headers: this.headers };
      },
    };
  });
  if (!(options.timeout > 0)) return exchange.catch((cause) => Promise.reject(networkError(cause)));
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      const error = new Error('ESOCKETTIMEDOUT');
      error.code = 'ESOCKETTIMEDOUT';
      error.connect = false;
      reject(error);
    }, options.timeout);
  });
  return Promise.race([exchange.catch((cause) => Promise.reject(networkError(cause))), timeout]).finally(() => clearTimeout(timer));
}

/** A returned request object: enough of request's Request for code that only chains .on('error'). */
function handle(promise, hasCallback) {
  const listeners = { response: [], error: [], complete: [] };
  promise.then(
    (response) => {
      listeners.response.forEach((fn) => fn(response));
      listeners.complete.forEach((fn) => fn(response, response.body));
    },
    (error) => {
      listeners.error.forEach((fn) => fn(error));
      // Fire-and-forget calls (no callback, no 'error' listener) still leave a trace in the hook's log.
      if (!hasCallback && listeners.error.length === 0) console.error('request failed: ' + error.message);
    },
  );
  const req = {
    on(event, fn) {
      if (listeners[event]) listeners[event].push(fn);
      return req;
    },
    abort() {},
    pipe() {
      throw new Error('request(...).pipe() is not supported in a Hookline hook: use the callback form');
    },
  };
  return req;
}

export function requestWithOptions(options) {
  const callback = typeof options.callback === 'function' ? options.callback : undefined;
  const promise = Promise.resolve().then(() => perform(options));
  promise.then(
    (response) => callback && callback(null, response, response.body),
    (error) => callback && callback(error, undefined, undefined),
  );
  return { promise, request: handle(promise, callback !== undefined) };
}

export function makeRequest(defaults, run) {
  const request = (uri, options, callback) => run({ ...defaults, ...initParams(uri, options, callback) });
  for (const [name, method] of Object.entries(METHODS)) {
    request[name] = (uri, options, callback) => run({ ...defaults, ...initParams(uri, options, callback), method });
  }
  request.defaults = (more) => makeRequest({ ...defaults, ...more, headers: { ...defaults.headers, ...(more && more.headers) } }, run);
  request.jar = () => ({ setCookie() {}, getCookieString: () => '' });
  request.forever = () => request;
  return request;
}

export default makeRequest({}, (options) => requestWithOptions(options).request);
