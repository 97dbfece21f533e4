import { resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { TriggerId } from '../core/events/user-registered.event';
import { ConfigInvalidError } from '../core/errors/config-invalid.error';
import type { HooklineLogger } from '../core/logging/hookline.logger';
import type { CompiledConfig, Consumer } from './config.model';
import { compileConfig, loadConfigFile, type LoadOptions } from './config.loader';

export type ConfigSource = string | Record<string, unknown>;

/**
 * Holds the current validated config. A file is watched: a valid edit takes effect at once, an invalid
 * one is logged with all its errors and the last good config stays.
 */
export class ConfigRegistry {
  private current: CompiledConfig;
  private watcher?: FSWatcher;

  constructor(
    private readonly source: ConfigSource,
    private readonly options: LoadOptions,
    private readonly logger: HooklineLogger,
  ) {
    this.current = this.load();
    this.logger.redactor.setSecrets(this.current.secretValues);
    this.logWarnings();
  }

  /** What the plugins found worth a warning (a hook's conditional require of a module the sandbox lacks). */
  private logWarnings(): void {
    for (const w of this.current.warnings ?? []) this.logger.warn(`config warning at ${w.path}: ${w.message}`, { consumer: w.consumerId });
  }

  get config(): CompiledConfig {
    return this.current;
  }

  /** Enabled consumers of a tenant for a trigger; empty for a tenant with no config. */
  consumersFor(tenant: string, trigger: TriggerId): readonly Consumer[] {
    const consumers = this.current.tenants.get(tenant);
    if (!consumers) return [];
    return consumers.filter((c) => c.triggers.includes(trigger));
  }

  hasTenant(tenant: string): boolean {
    return this.current.tenants.has(tenant);
  }

  consumer(id: string): Consumer | undefined {
    return this.current.consumers.get(id);
  }

  /** Re-reads the config. Returns false (and keeps the last good config) when the new one is invalid. */
  reload(): boolean {
    try {
      this.current = this.load();
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      this.logger.error(`config change rejected, keeping the last good config\n${error.message}`);
      return false;
    }
    // Added, not replaced: a delivery in flight may still carry a secret the edit rotated out.
    this.logger.redactor.addSecrets(this.current.secretValues);
    this.logWarnings();
    this.logger.info('config reloaded', { source: this.current.source, consumers: this.current.consumers.size });
    return true;
  }

  /** Starts watching a config file. A no-op for an inline config. */
  async watch(): Promise<void> {
    if (typeof this.source !== 'string' || this.watcher) return;
    const { watch } = await import('chokidar');
    this.watcher = watch(resolve(this.source), {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 },
    });
    this.watcher.on('change', () => this.reload());
    this.watcher.on('add', () => this.reload());
    await new Promise<void>((ready) => this.watcher!.once('ready', ready));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private load(): CompiledConfig {
    if (typeof this.source === 'string') return loadConfigFile(this.source, this.options);
    return compileConfig(this.source, { ...this.options, source: 'inline config', baseDir: process.cwd() });
  }
}
