import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { FSWatcher } from 'chokidar';
import { ConfigInvalidError } from '../core/errors/config-invalid.error';
import type { Consumer } from './config.model';
import { parseConfigText } from './config.loader';

/**
 * Where the static part of the config comes from: the `defaults` and the tenants an operator manages.
 * It gives the whole parsed config (not yet validated); the registry validates and compiles it.
 */
export interface ConfigSource {
  /** Names the source in messages: a file path, "inline config". */
  readonly name: string;
  /** Directory that relative paths (hook scripts) are resolved against. */
  readonly baseDir: string;
  /** Reads the config, parsed but not validated. Throws ConfigInvalidError when it cannot be read or parsed. */
  read(): unknown;
  /** Reads it without blocking (an async factory, a file). Defaults to `read()`. */
  readAsync?(): Promise<unknown>;
  /** Calls `onChange` whenever the config may have changed. */
  watch?(onChange: () => void): Promise<void>;
  close?(): Promise<void>;
}

/** A tenant as a dynamic source compiled it: its enabled consumers and the secret values to redact. */
export interface CompiledTenant {
  id: string;
  consumers: readonly Consumer[];
  secretValues: readonly string[];
  /** Changes with each write of the tenant or of its secrets. */
  version: number;
}

/**
 * Tenants that come and go at run time (the PostgreSQL store). Looked up one tenant at a time and
 * cached by the source; the static source's tenants always win, and a tenant cannot be in both.
 */
export interface TenantSource {
  readonly name: string;
  /** The tenant, or undefined when this source does not define it. */
  tenant(id: string): Promise<CompiledTenant | undefined>;
  /** Which of `ids` this source defines (a file edit adding one of them is refused). */
  defined(ids: readonly string[]): Promise<string[]>;
  close?(): Promise<void>;
}

/** The `config` module option: a file path, an object, an async factory, or a source of your own. */
export type ConfigInput = string | Record<string, unknown> | (() => Promise<Record<string, unknown>>) | ConfigSource;

/** A YAML or JSON file, watched for changes. Relative paths inside it are relative to the file. */
export class FileConfigSource implements ConfigSource {
  readonly baseDir: string;
  private watcher?: FSWatcher;

  constructor(readonly name: string) {
    this.baseDir = dirname(resolve(name));
  }

  read(): unknown {
    return parseConfigText(this.readText(() => readFileSync(resolve(this.name), 'utf8')), this.name);
  }

  async readAsync(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(resolve(this.name), 'utf8');
    } catch (error) {
      throw unreadable(this.name, error);
    }
    return parseConfigText(text, this.name);
  }

  async watch(onChange: () => void): Promise<void> {
    if (this.watcher) return;
    const { watch } = await import('chokidar');
    this.watcher = watch(resolve(this.name), { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 } });
    this.watcher.on('change', onChange);
    this.watcher.on('add', onChange);
    await new Promise<void>((ready) => this.watcher!.once('ready', ready));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private readText(read: () => string): string {
    try {
      return read();
    } catch (error) {
      throw unreadable(this.name, error);
    }
  }
}

/**
 * A config given in code: an object, or an async factory (called at start-up, as `forRootAsync` would).
 * Relative paths are relative to the working directory.
 */
export class CodeConfigSource implements ConfigSource {
  readonly name = 'inline config';
  readonly baseDir = process.cwd();
  private value?: Record<string, unknown>;

  constructor(private readonly config: Record<string, unknown> | (() => Promise<Record<string, unknown>>)) {
    if (typeof config !== 'function') this.value = config;
  }

  read(): unknown {
    if (this.value === undefined) throw new TypeError('this config comes from an async factory: read it with readAsync()');
    return this.value;
  }

  async readAsync(): Promise<unknown> {
    if (typeof this.config === 'function') this.value = await this.config();
    return this.value;
  }
}

export function toConfigSource(input: ConfigInput): ConfigSource {
  if (typeof input === 'string') return new FileConfigSource(input);
  if (typeof input === 'function') return new CodeConfigSource(input);
  if (isConfigSource(input)) return input;
  return new CodeConfigSource(input);
}

function isConfigSource(input: Record<string, unknown> | ConfigSource): input is ConfigSource {
  return typeof (input as ConfigSource).read === 'function' && typeof (input as ConfigSource).name === 'string';
}

function unreadable(name: string, error: unknown): ConfigInvalidError {
  return new ConfigInvalidError(name, [{ path: '', message: `cannot read the file: ${(error as Error).message}` }]);
}
