import type { TriggerId } from '../core/events/user-registered.event';
import { ConfigInvalidError } from '../core/errors/config-invalid.error';
import type { HooklineLogger } from '../core/logging/hookline.logger';
import type { CompiledConfig, Consumer } from './config.model';
import { compileConfig, type LoadOptions } from './config.loader';
import { toConfigSource, type ConfigInput, type ConfigSource, type TenantSource } from './config-source';
import { isPromiseLike, type MaybePromise } from '../core/util/maybe-promise';

export type { ConfigInput };

/**
 * Holds the current validated config: the static source (file or code: defaults and operator-managed
 * tenants) and, optionally, a tenant source (the store: tenants written at run time, looked up lazily).
 * A file is watched: a valid edit takes effect at once, an invalid one is logged with all its errors
 * and the last good config stays. A static tenant wins over nothing: a tenant cannot be in both.
 */
export class ConfigRegistry {
  private current!: CompiledConfig;
  private rawDefaults: unknown;
  private readonly source: ConfigSource;
  private tenantSource?: TenantSource;
  private rejected: { at: string; message: string } | null = null;

  constructor(
    source: ConfigInput,
    private readonly options: LoadOptions,
    private readonly logger: HooklineLogger,
    /** Leave the first read to {@link ConfigRegistry.create} (an async factory, a store to check against). */
    deferLoad = false,
  ) {
    this.source = toConfigSource(source);
    if (!deferLoad) {
      this.current = this.compile(this.source.read());
      this.logger.redactor.setSecrets(this.current.secretValues);
      this.logWarnings();
    }
  }

  /** What the plugins found worth a warning (a hook's conditional require of a module the sandbox lacks). */
  private logWarnings(): void {
    for (const w of this.current.warnings ?? []) this.logger.warn(`config warning at ${w.path}: ${w.message}`, { consumerId: w.consumerId });
  }

  /** Builds a registry whose source may be read asynchronously (an async factory). */
  static async create(source: ConfigInput, options: LoadOptions, logger: HooklineLogger): Promise<ConfigRegistry> {
    const registry = new ConfigRegistry(source, options, logger, true);
    const raw = await (registry.source.readAsync?.() ?? registry.source.read());
    registry.current = registry.compile(raw);
    registry.logger.redactor.setSecrets(registry.current.secretValues);
    registry.logWarnings();
    return registry;
  }

  /** Whether a config was ever loaded (health checks report `down` until one is). */
  get loaded(): boolean {
    return this.current !== undefined;
  }

  /** The last config change refused (the last good config stays), until a valid one replaces it; null otherwise. */
  get lastRejected(): { at: string; message: string } | null {
    return this.rejected;
  }

  /** The static config (file or code). Tenants of a tenant source are not in it. */
  get config(): CompiledConfig {
    return this.current;
  }

  /** Connects the tenant source, refusing start-up when it defines a tenant of the static config. */
  async attachTenants(source: TenantSource): Promise<void> {
    const clash = await source.defined(this.current.tenantIds);
    if (clash.length > 0) throw new ConfigInvalidError(this.current.source, clash.map((id) => conflictIssue(id, source.name)));
    this.tenantSource = source;
  }

  /**
   * Enabled consumers of a tenant for a trigger; empty for a tenant with no config. Once per event, like
   * {@link hasTenant}: at once for a tenant of the static config, a promise for one the tenant store holds.
   */
  consumersFor(tenant: string, trigger: TriggerId): MaybePromise<readonly Consumer[]> {
    const consumers = this.tenantConsumers(tenant);
    return isPromiseLike(consumers) ? consumers.then((c) => forTrigger(c, trigger)) : forTrigger(consumers, trigger);
  }

  hasTenant(tenant: string): MaybePromise<boolean> {
    const consumers = this.tenantConsumers(tenant);
    return isPromiseLike(consumers) ? consumers.then((c) => c !== undefined) : consumers !== undefined;
  }

  /** True when the static config (file or code) defines the tenant: the store may not. */
  isStaticTenant(tenant: string): boolean {
    return this.current.tenants.has(tenant);
  }

  /** Once per attempt: at once for a consumer of the static config, a promise for one the tenant store holds. */
  consumer(id: string): MaybePromise<Consumer | undefined> {
    const found = this.current.consumers.get(id);
    if (found || !this.tenantSource) return found;
    return this.storedConsumer(this.tenantSource, id);
  }

  private async storedConsumer(source: TenantSource, id: string): Promise<Consumer | undefined> {
    const tenant = id.slice(0, id.indexOf('/'));
    const consumers = tenant ? await this.storedTenantConsumers(source, tenant) : undefined;
    return consumers?.find((c) => c.id === id);
  }

  /**
   * Validates one tenant's definition as if it were in the static config (same schema, same defaults),
   * with `env` as the only variables. Throws ConfigInvalidError; paths start at `tenants.<id>`.
   */
  compileTenant(id: string, definition: unknown, env: NodeJS.ProcessEnv, source: string): CompiledConfig {
    const raw = { ...(this.rawDefaults === undefined ? {} : { defaults: this.rawDefaults }), tenants: { [id]: definition } };
    return compileConfig(raw, { ...this.options, env, source, baseDir: this.source.baseDir });
  }

  /** Re-reads the config. Resolves false (and keeps the last good config) when the new one is invalid. */
  async reload(): Promise<boolean> {
    try {
      const next = this.compile(await (this.source.readAsync?.() ?? this.source.read()));
      const clash = this.tenantSource ? await this.tenantSource.defined(next.tenantIds) : [];
      if (clash.length > 0) throw new ConfigInvalidError(next.source, clash.map((id) => conflictIssue(id, this.tenantSource!.name)));
      this.current = next;
      this.rejected = null;
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      this.logger.error(`config change rejected, keeping the last good config\n${error.message}`);
      this.rejected = { at: new Date().toISOString(), message: this.logger.redactor.redact(error.message) };
      return false;
    }
    // Added, not replaced: a delivery in flight may still carry a secret the edit rotated out.
    this.logger.redactor.addSecrets(this.current.secretValues);
    this.logWarnings();
    this.logger.info('config reloaded', { source: this.current.source, consumers: this.current.consumers.size });
    return true;
  }

  /** Starts watching the source, when it can be watched (a file). */
  async watch(): Promise<void> {
    await this.source.watch?.(() => void this.reload());
  }

  async close(): Promise<void> {
    await this.source.close?.();
    await this.tenantSource?.close?.();
    this.tenantSource = undefined;
  }

  private tenantConsumers(tenant: string): MaybePromise<readonly Consumer[] | undefined> {
    const consumers = this.current.tenants.get(tenant);
    if (consumers || !this.tenantSource) return consumers;
    return this.storedTenantConsumers(this.tenantSource, tenant);
  }

  private async storedTenantConsumers(source: TenantSource, tenant: string): Promise<readonly Consumer[] | undefined> {
    return (await source.tenant(tenant))?.consumers;
  }

  private compile(raw: unknown): CompiledConfig {
    const compiled = compileConfig(raw, { ...this.options, source: this.source.name, baseDir: this.source.baseDir });
    this.rawDefaults = (raw as { defaults?: unknown }).defaults;
    return compiled;
  }
}

/** A tenant's consumers for one trigger (none for a tenant with no config). */
function forTrigger(consumers: readonly Consumer[] | undefined, trigger: TriggerId): readonly Consumer[] {
  return consumers ? consumers.filter((c) => c.triggers.includes(trigger)) : [];
}

function conflictIssue(tenant: string, store: string) {
  return { path: `tenants.${tenant}`, message: `the tenant "${tenant}" is already defined in ${store}: a tenant lives in one place` };
}
