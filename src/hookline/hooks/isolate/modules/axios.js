// The real axios, with an adapter over the sandbox's fetch (axios's own fetch adapter needs
// Request/Response/ReadableStream, which an isolate lacks). Runs inside the isolate.
import axios from 'axios';
import resolveConfig from 'axios/unsafe/helpers/resolveConfig.js';
import settle from 'axios/unsafe/core/settle.js';

const { AxiosError, AxiosHeaders } = axios;

function requestBody(data) {
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string' || data instanceof URLSearchParams || data instanceof FormData) return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return JSON.stringify(data);
}

function timeoutError(config, request) {
  const transitional = config.transitional || {};
  const message = config.timeoutErrorMessage || `timeout of ${config.timeout}ms exceeded`;
  const code = transitional.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
  return new AxiosError(message, code, config, request);
}

function hooklineFetchAdapter(config) {
  const resolved = resolveConfig(config);
  const method = (resolved.method || 'get').toUpperCase();
  const request = { method, url: resolved.url, path: resolved.url };
  const controller = new AbortController();
  return new Promise((resolve, reject) => {
    let timer;
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      fn(value);
    };
    if (resolved.timeout > 0) {
      timer = setTimeout(() => {
        controller.abort();
        finish(reject, timeoutError(config, request));
      }, resolved.timeout);
    }
    const onCancel = (reason) => {
      controller.abort();
      finish(reject, !reason || reason.type ? new axios.CanceledError(null, config, request) : reason);
    };
    if (config.cancelToken) config.cancelToken.subscribe(onCancel);
    if (config.signal) {
      if (config.signal.aborted) return onCancel();
      config.signal.addEventListener('abort', () => onCancel());
    }
    const headers = {};
    const requested = AxiosHeaders.from(resolved.headers).normalize().toJSON();
    for (const name of Object.keys(requested)) {
      const value = requested[name];
      if (value !== undefined && value !== null && value !== false) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    fetch(resolved.url, { method, headers, body: requestBody(resolved.data), signal: controller.signal })
      .then(async (response) => {
        const text = await response.text();
        const responseHeaders = new AxiosHeaders();
        response.headers.forEach((value, name) => responseHeaders.set(name, value));
        const data = resolved.responseType === 'arraybuffer' ? new TextEncoder().encode(text).buffer : text;
        const settled = { data, status: response.status, statusText: response.statusText, headers: responseHeaders, config, request };
        settle((value) => finish(resolve, value), (error) => finish(reject, error), settled);
      })
      .catch((cause) => {
        if (done) return;
        // Like axios's Node adapter: the underlying error's message and code (e.g. ECONNREFUSED) carry over.
        const error = AxiosError.from(cause, cause && typeof cause.code === 'string' ? cause.code : AxiosError.ERR_NETWORK,
          config, request);
        if (!error.message) error.message = 'Network Error';
        finish(reject, error);
      });
  });
}

axios.defaults.adapter = hooklineFetchAdapter;
axios.hooklineFetchAdapter = hooklineFetchAdapter;

export default axios;
