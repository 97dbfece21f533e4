// node-fetch 2 as a hook sees it: the sandbox's fetch itself, with the classes beside it. Runs inside the isolate.
async function fetch(input, init) {
  try {
    return await globalThis.fetch(input, init);
  } catch (cause) {
    if (cause && cause.name === 'AbortError') throw cause;
    const url = typeof input === 'string' ? input : input && (input.href || input.url);
    // node-fetch 2 reports network failures as FetchError of type "system", carrying the system error code.
    throw new FetchError(`request to ${url} failed, reason: ${cause && cause.message}`, 'system', cause);
  }
}

// A class declaration is not hoisted like the function above, but fetch only uses it when called.
class FetchError extends Error {
  constructor(message, type, systemError) {
    super(message);
    this.name = 'FetchError';
    this.type = type;
    if (systemError) this.code = this.errno = systemError.code;
  }
}

fetch.default = fetch;
fetch.Headers = globalThis.Headers;
fetch.FetchError = FetchError;
fetch.isRedirect = (code) => code === 301 || code === 302 || code === 303 || code === 307 || code === 308;

module.exports = fetch;
