import { Pool } from 'pg';
import { EnvKeyProvider } from '../hookline/tenants/secrets/key-provider';
import { SecretCipher } from '../hookline/tenants/secrets/secret-cipher';
import { PgTenantStore } from '../hookline/tenants/store/pg-tenant-store';
import { STORE_DEFAULTS } from '../hookline/tenants/tenant-store.options';
import { EXIT, UsageError } from './usage.error';

/**
 * `hookline secrets rotate`: re-encrypts every stored secret with the first key of HOOKLINE_SECRETS_KEYS
 * (or HOOKLINE_SECRETS_KEY). Values are decrypted and sealed again inside one transaction per tenant.
 */
export async function rotateSecretsCommand(options: { storeUrl?: string; schema?: string }, env = process.env): Promise<number> {
  const url = options.storeUrl ?? env.HOOKLINE_STORE_URL;
  if (!url) throw new UsageError('secrets rotate needs --store-url postgres://… (or HOOKLINE_STORE_URL)');
  const store = new PgTenantStore(new Pool({ connectionString: url, max: 2 }), options.schema ?? STORE_DEFAULTS.schema, new SecretCipher(EnvKeyProvider.fromEnv(env)));
  try {
    await store.migrate();
    const changed = await store.rotateKeys();
    process.stdout.write(`re-encrypted ${changed} secret value(s) with the key "${await store.cipher.currentKeyId()}"\n`);
    return EXIT.ok;
  } finally {
    await store.pool.end();
  }
}
