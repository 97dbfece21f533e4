import { randomBytes } from 'node:crypto';
import { EnvKeyProvider, SecretsKeyInvalidError } from './key-provider';
import { SecretCipher, SecretUnreadableError } from './secret-cipher';

const key = () => randomBytes(32).toString('base64');

describe('EnvKeyProvider', () => {
  it('takes HOOKLINE_SECRETS_KEY as the key "default"', () => {
    const provider = EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEY: key() });
    expect(provider.current().id).toBe('default');
  });

  it('takes HOOKLINE_SECRETS_KEYS in order: the first encrypts, all decrypt', () => {
    const [k2, k1] = [key(), key()];
    const provider = EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEYS: `k2:${k2},k1:${k1}` });
    expect(provider.current().id).toBe('k2');
    expect(provider.get('k1')).toEqual(Buffer.from(k1, 'base64'));
  });

  it.each([
    [{}, /needs a key: set HOOKLINE_SECRETS_KEY/],
    [{ HOOKLINE_SECRETS_KEY: 'c2hvcnQ=' }, /HOOKLINE_SECRETS_KEY: expected 32 bytes in base64 .*received 5 bytes/],
    [{ HOOKLINE_SECRETS_KEYS: 'nocolon' }, /entry 1: expected "<id>:<base64 key>"/],
    [{ HOOKLINE_SECRETS_KEYS: `a:${'A'.repeat(43)}=,a:${'A'.repeat(43)}=` }, /names the key id "a" twice/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => EnvKeyProvider.fromEnv(env)).toThrow(SecretsKeyInvalidError);
    expect(() => EnvKeyProvider.fromEnv(env)).toThrow(message);
  });
});

describe('SecretCipher', () => {
  it('seals with a fresh IV, opens with the key id stored beside the value', async () => {
    const cipher = new SecretCipher(EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEY: key() }));
    const a = await cipher.seal('s3cret-value', 'acme/TOKEN');
    const b = await cipher.seal('s3cret-value', 'acme/TOKEN');
    expect(a.value.equals(b.value)).toBe(false);
    expect(a.value.toString('latin1')).not.toContain('s3cret-value');
    expect(await cipher.open(a, 'acme/TOKEN')).toBe('s3cret-value');
  });

  it('refuses a value moved to another row, or sealed with a key it does not have', async () => {
    const old = key();
    const before = new SecretCipher(EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEYS: `k1:${old}` }));
    const sealed = await before.seal('v', 'acme/A');
    await expect(before.open(sealed, 'globex/A')).rejects.toThrow(SecretUnreadableError);
    const rotated = new SecretCipher(EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEYS: `k2:${key()},k1:${old}` }));
    expect(await rotated.open(sealed, 'acme/A')).toBe('v');
    const without = new SecretCipher(EnvKeyProvider.fromEnv({ HOOKLINE_SECRETS_KEYS: `k2:${key()}` }));
    await expect(without.open(sealed, 'acme/A')).rejects.toThrow(/key "k1", which is not configured/);
  });
});
