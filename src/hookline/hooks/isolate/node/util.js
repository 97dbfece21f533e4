// A subset of node:util for hooks and the libraries they use: format, inspect, promisify, callbackify,
// inherits, deprecate, debuglog, isDeepStrictEqual, types, TextEncoder/TextDecoder. Runs inside the isolate.
const custom = Symbol.for('nodejs.util.inspect.custom');
const promisifyCustom = Symbol.for('nodejs.util.promisify.custom');

function inspectValue(value, depth, seen) {
  if (value === null) return 'null';
  const type = typeof value;
  if (type === 'string') return depth === 0 ? value : `'${value.replace(/'/g, "\\'")}'`;
  if (type === 'bigint') return `${value}n`;
  if (type === 'symbol') return value.toString();
  if (type === 'function') return `[Function: ${value.name || '(anonymous)'}]`;
  if (type !== 'object') return String(value);
  if (typeof value[custom] === 'function') return String(value[custom](depth, {}));
  if (seen.includes(value)) return '[Circular *1]';
  if (value instanceof Error) return value.stack || `${value.name}: ${value.message}`;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (depth > 3) return Array.isArray(value) ? '[Array]' : '[Object]';
  const inner = [...seen, value];
  if (Array.isArray(value)) return `[ ${value.map((v) => inspectValue(v, depth + 1, inner)).join(', ')} ]`;
  if (value instanceof Map) return `Map(${value.size}) { ${[...value].map(([k, v]) => `${inspectValue(k, depth + 1, inner)} => ${inspectValue(v, depth + 1, inner)}`).join(', ')} }`;
  if (value instanceof Set) return `Set(${value.size}) { ${[...value].map((v) => inspectValue(v, depth + 1, inner)).join(', ')} }`;
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  const body = keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${inspectValue(value[k], depth + 1, inner)}`).join(', ');
  return `{ ${body} }`;
}

export function inspect(value) {
  return inspectValue(value, 1, []);
}
inspect.custom = custom;
inspect.defaultOptions = { depth: 2 };

export function format(first, ...args) {
  if (typeof first !== 'string') return [first, ...args].map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ');
  let i = 0;
  let out = first.replace(/%([sdifjoOc%])/g, (match, letter) => {
    if (letter === '%') return '%';
    if (i >= args.length) return match;
    const arg = args[i++];
    switch (letter) {
      case 's': return typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null ? inspect(arg) : String(arg);
      case 'd': return typeof arg === 'bigint' ? `${arg}n` : String(Number(arg));
      case 'i': return String(parseInt(arg, 10));
      case 'f': return String(parseFloat(arg));
      case 'j': try { return JSON.stringify(arg); } catch { return '[Circular]'; }
      case 'c': return '';
      default: return inspect(arg);
    }
  });
  for (; i < args.length; i++) out += ' ' + (typeof args[i] === 'string' ? args[i] : inspect(args[i]));
  return out;
}

export function formatWithOptions(_options, ...args) {
  return format(...args);
}

export function promisify(original) {
  if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
  if (original[promisifyCustom]) return original[promisifyCustom];
  function promisified(...args) {
    return new Promise((resolve, reject) => {
      // As Node does: the first value after the error (request's (err, response, body) resolves the response).
      original.call(this, ...args, (error, value) => (error ? reject(error) : resolve(value)));
    });
  }
  Object.setPrototypeOf(promisified, Object.getPrototypeOf(original));
  return Object.defineProperties(promisified, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = promisifyCustom;

export function callbackify(original) {
  if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
  return function (...args) {
    const cb = args.pop();
    original.apply(this, args).then((value) => queueMicrotask(() => cb(null, value)), (error) => queueMicrotask(() => cb(error || new Error(String(error)))));
  };
}

export function inherits(ctor, superCtor) {
  if (typeof ctor !== 'function' || typeof superCtor !== 'function') throw new TypeError('inherits: both arguments must be functions');
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

export function deprecate(fn, message) {
  let warned = false;
  return function (...args) {
    if (!warned) {
      warned = true;
      if (typeof console !== 'undefined') console.warn(`DeprecationWarning: ${message}`);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
  };
}

export function debuglog() {
  const log = () => undefined;
  log.enabled = false;
  return log;
}
export const debug = debuglog;

export function isDeepStrictEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (ArrayBuffer.isView(a)) return a.length === b.length && a.every((v, i) => v === b[i]);
  if (a instanceof Map || a instanceof Set) return a.size === b.size && isDeepStrictEqual([...a], [...b]);
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && isDeepStrictEqual(a[k], b[k]));
}

const tag = (value) => Object.prototype.toString.call(value).slice(8, -1);
export const types = {
  isDate: (v) => v instanceof Date,
  isRegExp: (v) => v instanceof RegExp,
  isPromise: (v) => v instanceof Promise,
  isMap: (v) => v instanceof Map,
  isSet: (v) => v instanceof Set,
  isNativeError: (v) => v instanceof Error,
  isAnyArrayBuffer: (v) => v instanceof ArrayBuffer,
  isArrayBuffer: (v) => v instanceof ArrayBuffer,
  isArrayBufferView: (v) => ArrayBuffer.isView(v),
  isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
  isUint8Array: (v) => v instanceof Uint8Array,
  isAsyncFunction: (v) => tag(v) === 'AsyncFunction',
  isGeneratorFunction: (v) => tag(v) === 'GeneratorFunction' || tag(v) === 'AsyncGeneratorFunction',
  isBoxedPrimitive: (v) => v instanceof Number || v instanceof String || v instanceof Boolean,
  isKeyObject: (v) => !!v && typeof v === 'object' && v.constructor && v.constructor.name === 'KeyObject',
};

export const isArray = Array.isArray;
export const isBoolean = (v) => typeof v === 'boolean';
export const isNull = (v) => v === null;
export const isNullOrUndefined = (v) => v === null || v === undefined;
export const isNumber = (v) => typeof v === 'number';
export const isString = (v) => typeof v === 'string';
export const isSymbol = (v) => typeof v === 'symbol';
export const isUndefined = (v) => v === undefined;
export const isRegExp = types.isRegExp;
export const isObject = (v) => v !== null && typeof v === 'object';
export const isDate = types.isDate;
export const isError = (v) => v instanceof Error;
export const isFunction = (v) => typeof v === 'function';
export const isPrimitive = (v) => v === null || (typeof v !== 'object' && typeof v !== 'function');
export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;
