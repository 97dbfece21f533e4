// Standard web globals for a bare V8 context (isolated-vm gives only ECMAScript built-ins).
// Bundled by esbuild into an IIFE and evaluated once per context, after the sandbox installed
// its fetch primitive as globalThis.fetch. Runs inside the isolate.
// The larger polyfills (URL, Headers, base64) load on first use: esbuild wraps each required
// module in a function that runs on its first require, so a context that never touches URL
// pays only for parsing it.
import 'fast-text-encoding';
import { AbortController, AbortSignal } from 'abort-controller/dist/abort-controller.mjs';
import { FormData } from './form-data.js';
import { abortError, createFetch } from './fetch-adapter.js';
import { hostCall } from './node/host.js';

const g = globalThis;

function install(name, value) {
  if (g[name] !== undefined) return;
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
}

/** Globals that load together on first use of any of them; load() returns { name: value }. */
function installLazy(names, load) {
  const missing = names.filter((name) => g[name] === undefined);
  const settle = (name, value) => {
    Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    return value;
  };
  // While loading, the globals read as absent: the polyfills feature-test the very globals they provide.
  const get = (name) => {
    for (const other of missing) settle(other, undefined);
    const loaded = load();
    for (const other of missing) settle(other, loaded[other]);
    return loaded[name];
  };
  for (const name of missing) {
    Object.defineProperty(g, name, {
      get: () => get(name),
      set: (value) => {
        settle(name, value);
      },
      configurable: true,
      enumerable: false,
    });
  }
}

const loadHeaders = () => require('headers-polyfill').Headers;

// Web APIs that core-js and abort-controller leave out of their WHATWG subset.
if (typeof AbortSignal.abort !== 'function') {
  AbortSignal.abort = (reason) => {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  };
}
if (typeof AbortSignal.timeout !== 'function') {
  AbortSignal.timeout = (ms) => {
    const controller = new AbortController();
    const error = new Error('The operation was aborted due to timeout');
    error.name = 'TimeoutError';
    g.setTimeout(() => controller.abort(error), ms);
    return controller.signal;
  };
}
const abortWithReason = AbortController.prototype.abort;
AbortController.prototype.abort = function abort(reason) {
  if (!this.signal.aborted) {
    Object.defineProperty(this.signal, 'reason', { value: reason === undefined ? abortError() : reason, configurable: true });
  }
  return abortWithReason.call(this);
};
if (!('throwIfAborted' in AbortSignal.prototype)) {
  AbortSignal.prototype.throwIfAborted = function throwIfAborted() {
    if (this.aborted) throw abortError(this.reason);
  };
}

// An error thrown by the callback surfaces as an unhandled rejection, which the sandbox logs.
install('queueMicrotask', (callback) => {
  void Promise.resolve().then(callback);
});
installLazy(['URL', 'URLSearchParams', 'atob', 'btoa'], () => ({
  URL: require('core-js-pure/actual/url/index.js'),
  URLSearchParams: require('core-js-pure/actual/url-search-params/index.js'),
  atob: require('core-js-pure/actual/atob.js'),
  btoa: require('core-js-pure/actual/btoa.js'),
}));
install('AbortController', AbortController);
install('AbortSignal', AbortSignal);
installLazy(['Headers'], () => ({ Headers: loadHeaders() }));
install('FormData', FormData);
install('global', g);

// SDKs such as Supabase's look for a WebSocket class when their client is created, and connect only when
// asked to subscribe: the class is there, and connecting fails with a clear error (a hook has no sockets).
class WebSocket {
  constructor(url) {
    const error = new Error(`WebSocket connections are not available in a Hookline hook (${String(url).slice(0, 100)}); use HTTP requests instead`);
    error.code = 'ERR_HOOKLINE_NO_WEBSOCKET';
    throw error;
  }
}
Object.assign(WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
install('WebSocket', WebSocket);

// Web Crypto's random half, as browsers and Node have it as the global crypto (uuid's browser build and
// the auth0 SDK use it): bytes from the host, as node:crypto's randomBytes. crypto.subtle is not provided.
const MAX_RANDOM_BYTES = 65536;
install('crypto', {
  getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof DataView || array instanceof Float32Array || array instanceof Float64Array) {
      throw Object.assign(new TypeError('crypto.getRandomValues: expected an integer TypedArray'), { name: 'TypeMismatchError' });
    }
    if (array.byteLength > MAX_RANDOM_BYTES) {
      throw Object.assign(new RangeError(`crypto.getRandomValues: ${array.byteLength} bytes asked, at most ${MAX_RANDOM_BYTES}`), { name: 'QuotaExceededError' });
    }
    const text = g.atob(hostCall('crypto', 'randomBytes', { size: array.byteLength }));
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = text.charCodeAt(i);
    return array;
  },
  randomUUID() {
    return hostCall('crypto', 'randomUUID', {});
  },
});

const primitive = g.fetch;
if (typeof primitive === 'function' && !primitive.hooklinePrimitive) {
  const fetch = createFetch(primitive, () => g.Headers);
  fetch.hooklinePrimitive = primitive;
  Object.defineProperty(g, 'fetch', { value: fetch, writable: true, configurable: true, enumerable: false });
}
