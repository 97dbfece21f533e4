import type { KeyProvider } from './secrets/key-provider';

/** The tenant store: tenants, consumers and secrets written at run time, in PostgreSQL. */
export interface TenantStoreOptions {
  /** A PostgreSQL connection URL (`postgres://user:password@host:5432/db`). */
  url: string;
  /**
   * The schema holding the store's tables; created and migrated at start-up.
   * @default 'hookline'
   */
  schema?: string;
  /**
   * Compiled tenants kept in memory per instance (least recently used go first).
   * @default 1000
   */
  cacheSize?: number;
  /**
   * How often cached tenants are compared with the table, in case a change notification was missed.
   * @default 30000
   */
  resyncMs?: number;
  /**
   * Private hosts (names or addresses) that stored definitions may still reach: an internal service you
   * trust. Everything else loopback, private, link-local or metadata is refused.
   * @default []
   */
  allowPrivateHosts?: string[];
  /**
   * Where the secrets keys come from.
   * @default EnvKeyProvider.fromEnv(): HOOKLINE_SECRETS_KEYS or HOOKLINE_SECRETS_KEY
   */
  keys?: KeyProvider;
  /**
   * Connections in the pool (the change listener has one more of its own).
   * @default 5
   */
  poolSize?: number;
}

export const STORE_DEFAULTS = { schema: 'hookline', cacheSize: 1000, resyncMs: 30_000, poolSize: 5 } as const;
