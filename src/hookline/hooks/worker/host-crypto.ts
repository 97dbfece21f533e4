import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  getHashes,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * The host side of the isolate's `crypto` module: operations on copies. Arguments arrive as JSON text
 * from the hook (untrusted), bytes as base64; results leave as JSON-able values (strings, numbers,
 * booleans), never a host object. Every failure is an error answer, never a throw into the bridge.
 */
const MAX_BYTES = 1024 * 1024;
const HASHES = new Set(getHashes().map((h) => h.toLowerCase()));

type Args = Record<string, unknown>;
type KeyArgs = {
  pem?: string;
  data?: string;
  format?: string;
  type?: string;
  passphrase?: string;
  jwk?: unknown;
  padding?: number;
  saltLength?: number;
  dsaEncoding?: string;
};

class CryptoArgumentError extends Error {
  constructor(
    message: string,
    readonly code = 'ERR_INVALID_ARG_VALUE',
    readonly type: 'TypeError' | 'Error' = 'TypeError',
  ) {
    super(message);
  }
}

function bytes(value: unknown, what: string): Buffer {
  if (typeof value !== 'string') throw new CryptoArgumentError(`crypto: ${what} must be base64 text`);
  const buffer = Buffer.from(value, 'base64');
  if (buffer.length > MAX_BYTES) throw new CryptoArgumentError(`crypto: ${what} is larger than ${MAX_BYTES} bytes`, 'ERR_OUT_OF_RANGE');
  return buffer;
}

function algorithm(value: unknown): string {
  const name = String(value);
  if (!HASHES.has(name.toLowerCase())) throw new CryptoArgumentError(`Invalid digest: ${name}`, 'ERR_CRYPTO_INVALID_DIGEST', 'Error');
  return name;
}

function readKey(kind: 'private' | 'public', input: KeyArgs): KeyObject {
  if (typeof input !== 'object' || input === null) throw new CryptoArgumentError('crypto: invalid key');
  const passphrase = typeof input.passphrase === 'string' ? Buffer.from(input.passphrase, 'base64') : undefined;
  const create = kind === 'private' ? createPrivateKey : createPublicKey;
  if (typeof input.pem === 'string') {
    // A key the isolate already holds (its canonical PEM): a private key serves where a public one is asked.
    return create(input.pem);
  }
  if (input.format === 'jwk') {
    if (typeof input.jwk !== 'object' || input.jwk === null) throw new CryptoArgumentError('crypto: a JWK key must be an object');
    return create({ key: JSON.parse(JSON.stringify(input.jwk)) as import('node:crypto').JsonWebKey, format: 'jwk' });
  }
  const data = bytes(input.data, 'key');
  const format = input.format === 'der' ? 'der' : 'pem';
  const type = typeof input.type === 'string' ? (input.type as 'pkcs1' | 'spki' | 'pkcs8' | 'sec1') : undefined;
  return create({ key: format === 'pem' ? data.toString('utf8') : data, format, ...(type ? { type } : {}), ...(passphrase ? { passphrase } : {}) } as never);
}

/** What the isolate keeps of a key: its canonical PEM and the properties jsonwebtoken reads. */
function describeKey(key: KeyObject): Record<string, unknown> {
  const pem = key.type === 'private' ? key.export({ format: 'pem', type: 'pkcs8' }) : key.export({ format: 'pem', type: 'spki' });
  const details = { ...(key.asymmetricKeyDetails ?? {}) } as Record<string, unknown>;
  if (typeof details.publicExponent === 'bigint') details.publicExponent = String(details.publicExponent);
  return { pem: String(pem), asymmetricKeyType: key.asymmetricKeyType, asymmetricKeyDetails: details };
}

function signOptions(key: KeyObject, input: KeyArgs): import('node:crypto').SignKeyObjectInput {
  return {
    key,
    ...(typeof input.padding === 'number' ? { padding: input.padding } : {}),
    ...(typeof input.saltLength === 'number' ? { saltLength: input.saltLength } : {}),
    ...(input.dsaEncoding === 'ieee-p1363' || input.dsaEncoding === 'der' ? { dsaEncoding: input.dsaEncoding as 'der' | 'ieee-p1363' } : {}),
  };
}

const OPERATIONS: Record<string, (args: Args) => unknown> = {
  checkHash: (a) => (algorithm(a.algorithm), true),
  hash: (a) => createHash(algorithm(a.algorithm)).update(bytes(a.data, 'data')).digest('base64'),
  hmac: (a) => createHmac(algorithm(a.algorithm), bytes(a.key, 'key')).update(bytes(a.data, 'data')).digest('base64'),
  randomBytes: (a) => {
    const size = Number(a.size);
    if (!Number.isInteger(size) || size < 0 || size > 65536) throw new CryptoArgumentError('crypto: size out of range', 'ERR_OUT_OF_RANGE');
    return randomBytes(size).toString('base64');
  },
  randomUUID: () => randomUUID(),
  readKey: (a) => describeKey(readKey(a.kind === 'public' ? 'public' : 'private', a.key as KeyArgs)),
  exportKey: (a) => {
    const options = (a.options ?? {}) as { format?: string; type?: string };
    const key = readKey(a.kind === 'public' ? 'public' : 'private', a.key as KeyArgs);
    const format = options.format === 'der' || options.format === 'jwk' ? options.format : 'pem';
    const exported = key.export({ format, ...(options.type ? { type: options.type } : {}) } as never) as unknown;
    if (format === 'jwk') return { jwk: exported };
    if (format === 'der') return { der: (exported as Buffer).toString('base64') };
    return { pem: String(exported) };
  },
  sign: (a) => {
    const input = a.key as KeyArgs;
    const digest = a.algorithm === null ? null : algorithm(a.algorithm);
    return sign(digest, bytes(a.data, 'data'), signOptions(readKey('private', input), input)).toString('base64');
  },
  verify: (a) => {
    const input = a.key as KeyArgs;
    const digest = a.algorithm === null ? null : algorithm(a.algorithm);
    return verify(digest, bytes(a.data, 'data'), signOptions(readKey('public', input), input), bytes(a.signature, 'signature'));
  },
  generateKeyPair: (a) => {
    const type = String(a.type);
    if (!['rsa', 'ec', 'ed25519'].includes(type)) throw new CryptoArgumentError(`crypto: generateKeyPairSync supports rsa, ec and ed25519, not ${type}`);
    const o = (a.options ?? {}) as { modulusLength?: number; namedCurve?: string };
    const modulusLength = Math.min(Math.max(Number(o.modulusLength) || 2048, 512), 4096);
    const pair = generateKeyPairSync(type as 'rsa', { modulusLength, ...(type === 'ec' ? { namedCurve: String(o.namedCurve ?? 'P-256') } : {}) } as never) as unknown as {
      privateKey: KeyObject;
      publicKey: KeyObject;
    };
    return { privateKey: describeKey(pair.privateKey), publicKey: describeKey(pair.publicKey) };
  },
};

/** Runs one operation; the answer is JSON text: `{ value }` or `{ error, code, type }`. */
export function hostCrypto(op: unknown, argsJson: unknown): string {
  try {
    const run = typeof op === 'string' && Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!run) throw new CryptoArgumentError(`crypto: unknown operation ${String(op).slice(0, 40)}`);
    if (typeof argsJson !== 'string' || argsJson.length > 4 * MAX_BYTES) throw new CryptoArgumentError('crypto: arguments too large');
    const args = JSON.parse(argsJson) as Args;
    if (typeof args !== 'object' || args === null) throw new CryptoArgumentError('crypto: invalid arguments');
    return JSON.stringify({ value: run(args) });
  } catch (error) {
    const e = error as Error & { code?: unknown; type?: string };
    const type = e instanceof CryptoArgumentError ? e.type : e instanceof TypeError ? 'TypeError' : e instanceof RangeError ? 'RangeError' : 'Error';
    // Some OpenSSL failures carry no code, depending on the Node version (a bad DER key on Node 24): a hook
    // always gets one to branch on.
    const code = typeof e.code === 'string' ? e.code : 'ERR_CRYPTO_OPERATION_FAILED';
    return JSON.stringify({ error: String(e.message).slice(0, 500), code, type });
  }
}
