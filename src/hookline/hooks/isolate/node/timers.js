// node:timers over the sandbox's timers (bounded by the hook's timeout). Runs inside the isolate.
export const setTimeout = (...args) => globalThis.setTimeout(...args);
export const clearTimeout = (id) => globalThis.clearTimeout(id);
export const setInterval = (...args) => globalThis.setInterval(...args);
export const clearInterval = (id) => globalThis.clearInterval(id);
export const setImmediate = (fn, ...args) => globalThis.setTimeout(fn, 0, ...args);
export const clearImmediate = (id) => globalThis.clearTimeout(id);
export const promises = {
  setTimeout: (ms, value) => new Promise((resolve) => globalThis.setTimeout(resolve, ms, value)),
  setImmediate: (value) => new Promise((resolve) => globalThis.setTimeout(resolve, 0, value)),
};
