import { HooklineError } from '../../core/errors/hookline.error';

/** A 256-bit key and the id stored beside every value it encrypts. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * Where the keys of the secret store come from. The environment by default ({@link EnvKeyProvider});
 * implement it to take keys from a KMS. The current key encrypts; every key it knows decrypts.
 */
export interface KeyProvider {
  current(): SecretKey | Promise<SecretKey>;
  get(id: string): Buffer | undefined | Promise<Buffer | undefined>;
}

/** The secrets key is missing or malformed. Names the variable and what was expected. */
export class SecretsKeyInvalidError extends HooklineError {
  constructor(message: string) {
    super('SECRETS_KEY_INVALID', message);
  }
}

/** The id of the key given alone as `HOOKLINE_SECRETS_KEY`; name it so in `HOOKLINE_SECRETS_KEYS` to keep it. */
const SINGLE_KEY_ID = 'default';

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Keys from the environment: `HOOKLINE_SECRETS_KEY` (32 bytes, base64; its id is `default`), or
 * `HOOKLINE_SECRETS_KEYS="k2:<base64>,k1:<base64>"` for rotation: the first encrypts, all decrypt.
 */
export class EnvKeyProvider implements KeyProvider {
  private readonly keys: SecretKey[];

  constructor(keys: SecretKey[]) {
    if (keys.length === 0) throw new SecretsKeyInvalidError('no secrets key given');
    this.keys = keys;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): EnvKeyProvider {
    if (env.HOOKLINE_SECRETS_KEYS) return new EnvKeyProvider(parseKeyList(env.HOOKLINE_SECRETS_KEYS));
    if (env.HOOKLINE_SECRETS_KEY) return new EnvKeyProvider([{ id: SINGLE_KEY_ID, key: decodeKey(env.HOOKLINE_SECRETS_KEY, 'HOOKLINE_SECRETS_KEY') }]);
    throw new SecretsKeyInvalidError(
      'the tenant store encrypts secrets and needs a key: set HOOKLINE_SECRETS_KEY to 32 random bytes in base64 ' +
        '(openssl rand -base64 32), or HOOKLINE_SECRETS_KEYS="k2:<base64>,k1:<base64>" to rotate',
    );
  }

  current(): SecretKey {
    return this.keys[0];
  }

  get(id: string): Buffer | undefined {
    return this.keys.find((k) => k.id === id)?.key;
  }
}

function parseKeyList(text: string): SecretKey[] {
  const keys = text.split(',').map((part, index) => {
    const colon = part.indexOf(':');
    const id = part.slice(0, colon).trim();
    if (colon < 0 || !KEY_ID.test(id)) {
      throw new SecretsKeyInvalidError(
        `HOOKLINE_SECRETS_KEYS entry ${index + 1}: expected "<id>:<base64 key>" with an id of letters, digits, "-" or "_"`,
      );
    }
    return { id, key: decodeKey(part.slice(colon + 1).trim(), `HOOKLINE_SECRETS_KEYS entry ${index + 1} (${id})`) };
  });
  const ids = keys.map((k) => k.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new SecretsKeyInvalidError(`HOOKLINE_SECRETS_KEYS names the key id "${dup}" twice`);
  return keys;
}

function decodeKey(text: string, where: string): Buffer {
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new SecretsKeyInvalidError(`${where}: expected 32 bytes in base64 (openssl rand -base64 32), received ${key.length} bytes`);
  }
  return key;
}
