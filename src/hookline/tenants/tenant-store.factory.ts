import { Pool } from 'pg';
import type { ConfigRegistry } from '../config/config.registry';
import type { ConnectorRegistry } from '../connectors/connector.registry';
import type { HooklineLogger } from '../core/logging/hookline.logger';
import type { TenantsDeps } from './hookline-tenants';
import { EnvKeyProvider } from './secrets/key-provider';
import { SecretCipher } from './secrets/secret-cipher';
import { PgTenantStore } from './store/pg-tenant-store';
import { StoreTenantSource } from './store/store-tenant-source';
import { compileStoredTenant } from './tenant-compiler';
import { STORE_DEFAULTS, type TenantStoreOptions } from './tenant-store.options';

/**
 * Opens the store: migrates its schema, starts listening for changes and connects it to the registry
 * (start-up fails when the file and the store define the same tenant).
 */
export async function openTenantStore(
  options: TenantStoreOptions,
  config: ConfigRegistry,
  connectors: ConnectorRegistry,
  logger: HooklineLogger,
): Promise<TenantsDeps> {
  const cipher = new SecretCipher(options.keys ?? EnvKeyProvider.fromEnv());
  const pool = new Pool({ connectionString: options.url, max: options.poolSize ?? STORE_DEFAULTS.poolSize });
  pool.on('error', (error) => logger.warn('tenant store connection error', { error: error.message }));
  const store = new PgTenantStore(pool, options.schema ?? STORE_DEFAULTS.schema, cipher);
  const policy = { allowPrivateHosts: options.allowPrivateHosts ?? [] };
  const source = new StoreTenantSource(
    store,
    (tenant, secrets) => {
      const { tenant: compiled } = compileStoredTenant(config, connectors, policy, tenant, secrets);
      logger.redactor.addSecrets(compiled.secretValues);
      return compiled;
    },
    {
      connectionString: options.url,
      cacheSize: options.cacheSize ?? STORE_DEFAULTS.cacheSize,
      resyncMs: options.resyncMs ?? STORE_DEFAULTS.resyncMs,
      logger,
    },
  );
  try {
    await source.start();
    await config.attachTenants(source);
  } catch (error) {
    await source.close().catch(() => undefined);
    throw error;
  }
  return { store, source, config, connectors, policy, logger };
}
