// A facade for request-promise 4 / request-promise-native: request's options, a Promise of the body
// (or the full response), StatusCodeError for non-2xx and RequestError for network failures. Runs inside the isolate.
import { makeRequest, requestWithOptions } from './request.js';

class RequestError extends Error {
  constructor(cause, options, response) {
    super(String(cause));
    this.name = 'RequestError';
    this.cause = this.error = cause;
    this.options = options;
    this.response = response;
  }
}

class StatusCodeError extends Error {
  constructor(statusCode, body, options, response) {
    super(statusCode + ' - ' + (body && typeof body === 'object' ? JSON.stringify(body) : body));
    this.name = 'StatusCodeError';
    this.statusCode = statusCode;
    this.error = body;
    this.options = options;
    this.response = response;
  }
}

function run(options) {
  const { promise } = requestWithOptions(options);
  const simple = options.simple !== false;
  const full = options.resolveWithFullResponse === true;
  const result = promise.then(
    (response) => {
      if (simple && !(response.statusCode >= 200 && response.statusCode < 300)) {
        throw new StatusCodeError(response.statusCode, response.body, options, response);
      }
      if (typeof options.transform === 'function') return options.transform(response.body, response, full);
      return full ? response : response.body;
    },
    (cause) => {
      throw new RequestError(cause, options);
    },
  );
  result.promise = () => result;
  return result;
}

const rp = makeRequest({}, run);
rp.errors = { RequestError, StatusCodeError };
export default rp;
