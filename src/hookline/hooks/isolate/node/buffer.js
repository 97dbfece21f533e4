// node:buffer: the buffer package (feross/buffer), a pure-JS Buffer over Uint8Array. Runs inside the isolate.
export { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength } from 'buffer/index.js';
export const constants = { MAX_LENGTH: 2 ** 31 - 1, MAX_STRING_LENGTH: 2 ** 29 - 24 };
export const atob = globalThis.atob;
export const btoa = globalThis.btoa;
