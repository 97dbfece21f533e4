import { Client } from 'pg';
import type { CompiledTenant, TenantSource } from '../../config/config-source';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { SecretValue } from '../secrets/secret-refs';
import { LruCache } from './lru-cache';
import type { PgTenantStore, StoredTenant } from './pg-tenant-store';

export type TenantCompiler = (tenant: StoredTenant, secrets: ReadonlyMap<string, SecretValue>) => CompiledTenant;

export interface StoreTenantSourceOptions {
  connectionString: string;
  /** Compiled tenants kept in memory (and tenants known to be absent). @default 1000 */
  cacheSize: number;
  /** Cached versions are compared with the table this often, in case a notification was missed. @default 30000 */
  resyncMs: number;
  logger: HooklineLogger;
}

interface CacheEntry {
  /** Undefined: the store does not define this tenant (remembered too, so unknown tenants cost no query). */
  tenant?: CompiledTenant;
  version: number;
  /** A value in a rotation overlap: recompile once it is over. */
  expiresAt?: number;
}

/**
 * The store as a {@link TenantSource}: tenants compiled on first use and kept in an LRU cache. Another
 * instance's write reaches this one through LISTEN/NOTIFY (the entry is dropped and recompiled on next
 * use); a periodic resync compares versions, and a reconnect of the listener drops the whole cache.
 */
export class StoreTenantSource implements TenantSource {
  readonly name: string;
  private readonly cache: LruCache<string, CacheEntry>;
  private readonly loading = new Map<string, Promise<CacheEntry>>();
  /** Tenants invalidated while a load of theirs was in flight: that load's result is not cached. */
  private readonly stale = new Set<string>();
  private listener?: Client;
  private resyncTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly store: PgTenantStore,
    private readonly compile: TenantCompiler,
    private readonly options: StoreTenantSourceOptions,
  ) {
    this.name = `the tenant store (schema ${store.schema})`;
    this.cache = new LruCache(options.cacheSize);
  }

  async start(): Promise<void> {
    await this.store.migrate();
    await this.listen();
    this.resyncTimer = setInterval(() => void this.resync(), this.options.resyncMs);
    this.resyncTimer.unref();
  }

  async tenant(id: string): Promise<CompiledTenant | undefined> {
    const hit = this.cache.get(id);
    if (hit && (hit.expiresAt === undefined || hit.expiresAt > Date.now())) return hit.tenant;
    let load = this.loading.get(id);
    if (!load) {
      this.stale.delete(id);
      load = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, load);
    }
    return (await load).tenant;
  }

  defined(ids: readonly string[]): Promise<string[]> {
    return this.store.defined(ids);
  }

  /** Drops a tenant from the cache (a write of this instance, a notification, a resync). */
  invalidate(id: string): void {
    this.cache.delete(id);
    if (this.loading.has(id)) this.stale.add(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
    await this.store.pool.end();
  }

  private async load(id: string): Promise<CacheEntry> {
    const { tenant, secrets } = await this.store.read(id);
    const entry: CacheEntry = { version: tenant?.version ?? 0 };
    if (tenant) {
      entry.tenant = this.compile(tenant, secrets);
      const until = [...secrets.values()].flatMap((s) => (s.previous ? [s.previous.until.getTime()] : []));
      if (until.length) entry.expiresAt = Math.min(...until);
    }
    if (!this.stale.delete(id)) this.cache.set(id, entry);
    return entry;
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('notification', (message) => {
      if (message.channel === this.store.channel && message.payload) this.invalidate(message.payload);
    });
    client.on('error', (error) => {
      this.options.logger.warn('tenant store listener lost its connection; reconnecting', { error: error.message });
      this.reconnect();
    });
    client.on('end', () => this.reconnect());
    await client.connect();
    await client.query(`LISTEN "${this.store.channel}"`);
    this.listener = client;
  }

  private reconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.listener = undefined;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = undefined;
      try {
        await this.listen();
        // Notifications sent while disconnected are lost: start from the table again.
        for (const id of this.cache.keys()) this.invalidate(id);
      } catch (error) {
        this.options.logger.warn('tenant store listener cannot reconnect yet', { error: (error as Error).message });
        this.reconnect();
      }
    }, 1_000);
    this.reconnectTimer.unref();
  }

  /** Compares every cached version with the table; drops those that moved. */
  async resync(): Promise<number> {
    const entries = this.cache.entries();
    let dropped = 0;
    try {
      const versions = await this.store.versions(entries.map(([id]) => id));
      for (const [id, entry] of entries) {
        if ((versions.get(id) ?? 0) !== entry.version) {
          this.invalidate(id);
          dropped++;
        }
      }
    } catch (error) {
      this.options.logger.warn('tenant store resync failed', { error: (error as Error).message });
    }
    return dropped;
  }
}
