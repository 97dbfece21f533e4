// node:assert for hooks: ok, equal/notEqual, strictEqual/notStrictEqual, deepEqual/deepStrictEqual and
// their negations, throws/doesNotThrow, rejects, match, fail, AssertionError. Runs inside the isolate.
import { inspect, isDeepStrictEqual } from './util.js';

export class AssertionError extends Error {
  constructor(options) {
    super(options.message);
    this.name = 'AssertionError';
    this.code = 'ERR_ASSERTION';
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator;
    this.generatedMessage = !options.userMessage;
  }
}

function fail(actual, expected, message, operator, fallback) {
  if (message instanceof Error) throw message;
  throw new AssertionError({
    message: message ?? fallback ?? `${inspect(actual)} ${operator} ${inspect(expected)}`,
    userMessage: message !== undefined,
    actual,
    expected,
    operator,
  });
}

function looseDeepEqual(a, b) {
  // eslint-disable-next-line eqeqeq
  if (a == b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => looseDeepEqual(a[k], b[k]));
}

function matches(error, expected) {
  if (expected === undefined) return true;
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && error instanceof expected) return true;
    if (Object.prototype.isPrototypeOf.call(Error, expected)) return false;
    return expected.call({}, error) === true;
  }
  if (expected instanceof RegExp) return expected.test(String(error && error.message !== undefined ? error.message : error));
  if (typeof expected === 'object') return Object.keys(expected).every((k) => (expected[k] instanceof RegExp ? expected[k].test(error[k]) : isDeepStrictEqual(error[k], expected[k])));
  return true;
}

function assert(value, message) {
  if (!value) fail(value, true, message, '==', 'The expression evaluated to a falsy value');
}
assert.ok = assert;
assert.AssertionError = AssertionError;
assert.fail = (message = 'Failed') => fail(undefined, undefined, message, 'fail');
// eslint-disable-next-line eqeqeq
assert.equal = (a, b, message) => { if (!(a == b)) fail(a, b, message, '=='); };
// eslint-disable-next-line eqeqeq
assert.notEqual = (a, b, message) => { if (a == b) fail(a, b, message, '!='); };
assert.strictEqual = (a, b, message) => { if (!Object.is(a, b)) fail(a, b, message, 'strictEqual'); };
assert.notStrictEqual = (a, b, message) => { if (Object.is(a, b)) fail(a, b, message, 'notStrictEqual'); };
assert.deepEqual = (a, b, message) => { if (!looseDeepEqual(a, b)) fail(a, b, message, 'deepEqual'); };
assert.notDeepEqual = (a, b, message) => { if (looseDeepEqual(a, b)) fail(a, b, message, 'notDeepEqual'); };
assert.deepStrictEqual = (a, b, message) => { if (!isDeepStrictEqual(a, b)) fail(a, b, message, 'deepStrictEqual'); };
assert.notDeepStrictEqual = (a, b, message) => { if (isDeepStrictEqual(a, b)) fail(a, b, message, 'notDeepStrictEqual'); };
assert.match = (s, re, message) => { if (!re.test(s)) fail(s, re, message, 'match'); };
assert.doesNotMatch = (s, re, message) => { if (re.test(s)) fail(s, re, message, 'doesNotMatch'); };
assert.ifError = (value) => { if (value !== null && value !== undefined) throw value; };
assert.throws = (fn, expected, message) => {
  try {
    fn();
  } catch (error) {
    if (!matches(error, expected)) throw error;
    return;
  }
  fail(undefined, expected, typeof expected === 'string' ? expected : message, 'throws', 'Missing expected exception.');
};
assert.doesNotThrow = (fn, message) => {
  try {
    fn();
  } catch (error) {
    fail(error, undefined, typeof message === 'string' ? message : undefined, 'doesNotThrow', `Got unwanted exception.\nActual message: "${error && error.message}"`);
  }
};
assert.rejects = async (promiseOrFn, expected, message) => {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    if (!matches(error, expected)) throw error;
    return;
  }
  fail(undefined, expected, message, 'rejects', 'Missing expected rejection.');
};
assert.strict = assert;

export default assert;
