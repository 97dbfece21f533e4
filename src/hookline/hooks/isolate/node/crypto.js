// node:crypto for hooks: createHash, createHmac, randomBytes, randomUUID, randomInt, timingSafeEqual,
// createSign/createVerify, sign/verify (RSA, RSA-PSS, ECDSA, Ed25519), and the KeyObject family
// (createSecretKey, createPrivateKey, createPublicKey) as jsonwebtoken 9 uses them. The work happens
// on the host, on copies: bytes go out as base64 text, results come back as text. Runs inside the isolate.
import { Buffer } from 'buffer';
import { hostCall } from './host.js';

const call = (op, args) => hostCall('crypto', op, args);

function toBuffer(data, encoding, what = 'data') {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, encoding || 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  const error = new TypeError(`The "${what}" argument must be of type string or an instance of Buffer, TypedArray, or DataView`);
  error.code = 'ERR_INVALID_ARG_TYPE';
  throw error;
}

function output(base64, encoding) {
  const bytes = Buffer.from(base64, 'base64');
  return encoding && encoding !== 'buffer' ? bytes.toString(encoding) : bytes;
}

/** Hash and Hmac: chunks collected here, digested by the host in one call. */
class Digest {
  constructor(op, algorithm, key) {
    this._op = op;
    this._algorithm = String(algorithm);
    this._key = key;
    this._chunks = [];
    this._done = false;
    // Unknown algorithms fail at creation, as in Node.
    call('checkHash', { algorithm: this._algorithm });
  }

  update(data, encoding) {
    if (this._done) throw Object.assign(new Error('Digest already called'), { code: 'ERR_CRYPTO_HASH_FINALIZED' });
    this._chunks.push(toBuffer(data, encoding));
    return this;
  }

  digest(encoding) {
    if (this._done) throw Object.assign(new Error('Digest already called'), { code: 'ERR_CRYPTO_HASH_FINALIZED' });
    this._done = true;
    const data = Buffer.concat(this._chunks).toString('base64');
    return output(call(this._op, { algorithm: this._algorithm, key: this._key, data }), encoding);
  }

  copy() {
    const copy = Object.create(Object.getPrototypeOf(this));
    Object.assign(copy, this, { _chunks: [...this._chunks] });
    return copy;
  }
}

export class Hash extends Digest {}
export class Hmac extends Digest {}

export function createHash(algorithm) {
  return new Hash('hash', algorithm);
}

export function createHmac(algorithm, key) {
  const bytes = key instanceof KeyObject ? Buffer.from(secretOf(key), 'base64') : toBuffer(key, undefined, 'key');
  return new Hmac('hmac', algorithm, bytes.toString('base64'));
}

export function hash(algorithm, data, encoding = 'hex') {
  return createHash(algorithm).update(data).digest(encoding);
}

export function getHashes() {
  return ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-512', 'RSA-SHA256'];
}

export function randomBytes(size, callback) {
  if (!Number.isInteger(size) || size < 0 || size > 65536) {
    throw Object.assign(new RangeError(`The value of "size" is out of range. It must be >= 0 && <= 65536. Received ${size}`), { code: 'ERR_OUT_OF_RANGE' });
  }
  const bytes = Buffer.from(call('randomBytes', { size }), 'base64');
  if (typeof callback === 'function') {
    queueMicrotask(() => callback(null, bytes));
    return undefined;
  }
  return bytes;
}
export const pseudoRandomBytes = randomBytes;

export function randomFillSync(buffer, offset = 0, size = buffer.byteLength - offset) {
  const bytes = randomBytes(size);
  new Uint8Array(buffer.buffer || buffer, (buffer.byteOffset || 0) + offset, size).set(bytes);
  return buffer;
}

export function randomUUID() {
  return call('randomUUID', {});
}

export function randomInt(min, max, callback) {
  if (max === undefined || typeof max === 'function') {
    callback = max;
    max = min;
    min = 0;
  }
  const range = max - min;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || range <= 0 || range > 2 ** 48) {
    throw Object.assign(new RangeError('randomInt: expected safe integers with min < max and a range of at most 2^48'), { code: 'ERR_OUT_OF_RANGE' });
  }
  const bytes = randomBytes(6);
  const value = min + (bytes.readUIntBE(0, 6) % range);
  if (typeof callback === 'function') {
    queueMicrotask(() => callback(null, value));
    return undefined;
  }
  return value;
}

export function timingSafeEqual(a, b) {
  const x = toBuffer(a, undefined, 'buf1');
  const y = toBuffer(b, undefined, 'buf2');
  if (x.length !== y.length) {
    throw Object.assign(new RangeError('Input buffers must have the same byte length'), { code: 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH' });
  }
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

// ---- keys -----------------------------------------------------------------------------------------

const secrets = new WeakMap();
const material = new WeakMap();
let constructing = false;

/** A key, held here as its PEM (asymmetric) or bytes (secret); the host re-reads it for each operation. */
export class KeyObject {
  constructor(type) {
    if (!constructing) throw Object.assign(new TypeError('Illegal constructor'), { code: 'ERR_ILLEGAL_CONSTRUCTOR' });
    this._type = type;
  }

  get type() {
    return this._type;
  }

  get symmetricKeySize() {
    return this._type === 'secret' ? Buffer.from(secrets.get(this), 'base64').length : undefined;
  }

  export(options = {}) {
    if (this._type === 'secret') {
      const bytes = Buffer.from(secrets.get(this), 'base64');
      if (options.format === 'jwk') return { kty: 'oct', k: bytes.toString('base64url') };
      return bytes;
    }
    const result = call('exportKey', { kind: this._type, key: material.get(this), options: { format: options.format || 'pem', type: options.type, cipher: options.cipher, passphrase: options.passphrase } });
    if (result.jwk) return result.jwk;
    return result.pem !== undefined ? result.pem : Buffer.from(result.der, 'base64');
  }

  equals(other) {
    if (!(other instanceof KeyObject) || other.type !== this.type) return false;
    if (this._type === 'secret') return secrets.get(this) === secrets.get(other);
    return material.get(this).pem === material.get(other).pem;
  }

  toCryptoKey() {
    throw new Error('KeyObject.toCryptoKey is not available in a Hookline hook');
  }

  static from() {
    throw new TypeError('KeyObject.from is not available in a Hookline hook (there is no WebCrypto)');
  }
}

function makeKey(type, info) {
  constructing = true;
  let key;
  try {
    key = new KeyObject(type);
  } finally {
    constructing = false;
  }
  if (type === 'secret') {
    secrets.set(key, info);
  } else {
    material.set(key, { pem: info.pem });
    Object.defineProperty(key, 'asymmetricKeyType', { value: info.asymmetricKeyType, enumerable: true });
    if (info.asymmetricKeyDetails) {
      const details = { ...info.asymmetricKeyDetails };
      if (typeof details.publicExponent === 'string') details.publicExponent = BigInt(details.publicExponent);
      Object.defineProperty(key, 'asymmetricKeyDetails', { value: details, enumerable: true });
    }
  }
  return key;
}

function secretOf(key) {
  if (key.type !== 'secret') throw Object.assign(new TypeError(`Invalid key object type ${key.type}, expected secret.`), { code: 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE' });
  return secrets.get(key);
}

/** A key argument as the host reads it: `{ pem }`, or `{ data (base64), format, type, encoding, passphrase }`, or a JWK. */
function keyInput(input) {
  if (input instanceof KeyObject) {
    if (input.type === 'secret') throw Object.assign(new TypeError('Invalid key object type secret, expected private or public.'), { code: 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE' });
    return { pem: material.get(input).pem };
  }
  if (typeof input === 'string') return { data: Buffer.from(input).toString('base64'), format: 'pem' };
  if (Buffer.isBuffer(input) || ArrayBuffer.isView(input)) return { data: toBuffer(input).toString('base64'), format: 'pem' };
  if (input && typeof input === 'object') {
    if (input.key instanceof KeyObject) return { ...keyInput(input.key), padding: input.padding, saltLength: input.saltLength, dsaEncoding: input.dsaEncoding };
    const out = {
      format: input.format || 'pem',
      type: input.type,
      encoding: input.encoding,
      passphrase: input.passphrase === undefined ? undefined : toBuffer(input.passphrase).toString('base64'),
      padding: input.padding,
      saltLength: input.saltLength,
      dsaEncoding: input.dsaEncoding,
    };
    if (out.format === 'jwk') return { ...out, jwk: input.key };
    if (typeof input.key === 'string') return { ...out, data: Buffer.from(input.key, input.encoding || 'utf8').toString('base64') };
    return { ...out, data: toBuffer(input.key, undefined, 'key').toString('base64') };
  }
  throw Object.assign(new TypeError('The "key" argument must be of type string or an instance of Buffer, TypedArray, DataView, or KeyObject'), { code: 'ERR_INVALID_ARG_TYPE' });
}

export function createSecretKey(key, encoding) {
  const bytes = typeof key === 'string' ? Buffer.from(key, encoding || 'utf8') : toBuffer(key, undefined, 'key');
  return makeKey('secret', bytes.toString('base64'));
}

export function createPrivateKey(key) {
  return makeKey('private', call('readKey', { kind: 'private', key: keyInput(key) }));
}

export function createPublicKey(key) {
  return makeKey('public', call('readKey', { kind: 'public', key: keyInput(key) }));
}

export function generateKeyPairSync(type, options = {}) {
  const pair = call('generateKeyPair', { type, options: { modulusLength: options.modulusLength, namedCurve: options.namedCurve, publicExponent: options.publicExponent } });
  const privateKey = makeKey('private', pair.privateKey);
  const publicKey = makeKey('public', pair.publicKey);
  const encode = (key, encoding) => (encoding ? key.export(encoding) : key);
  return { privateKey: encode(privateKey, options.privateKeyEncoding), publicKey: encode(publicKey, options.publicKeyEncoding) };
}

// ---- signatures -----------------------------------------------------------------------------------

function doSign(algorithm, data, key) {
  return call('sign', { algorithm: algorithm === null || algorithm === undefined ? null : String(algorithm), key: keyInput(key), data: data.toString('base64') });
}

function doVerify(algorithm, data, key, signature) {
  return call('verify', { algorithm: algorithm === null || algorithm === undefined ? null : String(algorithm), key: keyInput(key), data: data.toString('base64'), signature: signature.toString('base64') });
}

export class Sign {
  constructor(algorithm) {
    this._algorithm = String(algorithm);
    this._chunks = [];
    call('checkHash', { algorithm: this._algorithm });
  }

  update(data, encoding) {
    this._chunks.push(toBuffer(data, encoding));
    return this;
  }

  write(data, encoding) {
    this.update(data, encoding);
    return true;
  }

  end(data, encoding) {
    if (data !== undefined) this.update(data, encoding);
    return this;
  }

  sign(key, encoding) {
    return output(doSign(this._algorithm, Buffer.concat(this._chunks), key), encoding);
  }
}

export class Verify {
  constructor(algorithm) {
    this._algorithm = String(algorithm);
    this._chunks = [];
    call('checkHash', { algorithm: this._algorithm });
  }

  update(data, encoding) {
    this._chunks.push(toBuffer(data, encoding));
    return this;
  }

  write(data, encoding) {
    this.update(data, encoding);
    return true;
  }

  end(data, encoding) {
    if (data !== undefined) this.update(data, encoding);
    return this;
  }

  verify(key, signature, encoding) {
    return doVerify(this._algorithm, Buffer.concat(this._chunks), key, toBuffer(signature, encoding, 'signature'));
  }
}

export function createSign(algorithm) {
  return new Sign(algorithm);
}

export function createVerify(algorithm) {
  return new Verify(algorithm);
}

export function sign(algorithm, data, key, callback) {
  const signature = Buffer.from(doSign(algorithm, toBuffer(data), key), 'base64');
  if (typeof callback === 'function') {
    queueMicrotask(() => callback(null, signature));
    return undefined;
  }
  return signature;
}

export function verify(algorithm, data, key, signature, callback) {
  const ok = doVerify(algorithm, toBuffer(data), key, toBuffer(signature, undefined, 'signature'));
  if (typeof callback === 'function') {
    queueMicrotask(() => callback(null, ok));
    return undefined;
  }
  return ok;
}

export const constants = {
  RSA_PKCS1_PADDING: 1,
  RSA_NO_PADDING: 3,
  RSA_PKCS1_OAEP_PADDING: 4,
  RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1,
  RSA_PSS_SALTLEN_MAX_SIGN: -2,
  RSA_PSS_SALTLEN_AUTO: -2,
};

export const webcrypto = undefined;
export const subtle = undefined;
