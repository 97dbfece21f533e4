/**
 * The connector SDK: everything a connector plugin may import from Hookline.
 * Connectors see this file and their own client library, never Nest internals.
 */
import { z } from 'zod';
import type { UserRegisteredEvent } from '../events/user-registered.event';

export { z };
export type { UserRegisteredEvent };
export {
  ConnectorRequestError,
  DeliveryError,
  DeliveryTimeoutError,
  PermanentError,
  RetryableError,
} from '../errors/delivery.errors';

/** Identifies one attempt of one delivery. `id` is stable across retries: use it as an idempotency key. */
export interface DeliveryInfo {
  id: string;
  eventId: string;
  tenant: string;
  consumerId: string;
  attempt: number;
}

export interface ConnectorLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON. */
  body?: unknown;
  /** Per-request timeout; the delivery's own timeout applies in any case. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/**
 * HTTP for connectors. Non-2xx answers throw {@link ConnectorRequestError}, classified:
 * 408, 429 and 5xx are retryable (with Retry-After parsed), other statuses permanent.
 * Network errors and timeouts throw RetryableError. Redirects are not followed.
 */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** A WHATWG `fetch` bound to the delivery's signal, for client libraries that take one. */
  fetch: typeof fetch;
}

export interface ConnectorContext {
  /** Aborted when the delivery times out or the app shuts down. Pass it to every I/O call. */
  signal: AbortSignal;
  /** This attempt's timeout: `signal` aborts once it is over. */
  timeoutMs: number;
  log: ConnectorLogger;
  http: HttpClient;
  delivery: DeliveryInfo;
}

/** What a successful delivery may record on its delivery record (an id the destination assigned, say). */
export interface DeliveryOutcome {
  detail?: Record<string, unknown>;
}

/** Where a config is read from, for schemas that resolve paths (hook scripts, templates on disk). */
export interface ConfigEnv {
  /** Directory of the config file (or the working directory for an inline config). */
  baseDir: string;
  /** The config file, or "inline config". */
  source: string;
}

/** Fields every consumer entry has; the core handles them, plugins never see them in their schema. */
export interface RetrySettings {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Ceiling of the first backoff; doubles each attempt (full jitter picks a random delay below it). */
  initialDelayMs?: number;
  /** Cap of the backoff ceiling. */
  maxDelayMs?: number;
}

export interface ConnectorPlugin<TConfig = unknown> {
  /** Stable machine id, used as `type:` in config and in consumer ids. Lowercase, kebab-case. */
  readonly type: string;
  /** Human name, for listings. */
  readonly displayName: string;
  readonly description?: string;
  /**
   * Schema of the connector's own fields. Its parsed output is what `deliver` receives, so it may
   * compile things (templates) with `.transform()`; issues it raises are reported with their path.
   */
  readonly config: z.ZodType<TConfig> | ((env: ConfigEnv) => z.ZodType<TConfig>);
  /** Names of config fields whose values are secrets: redacted from logs, records and the admin API. */
  readonly secrets?: readonly string[];
  /**
   * The plugin's own attempt timeout: used when an entry sets no `timeoutMs`, and the most it may set.
   * Without it, the module's default applies and entries may set up to 300000 ms.
   */
  readonly timeouts?: { readonly defaultMs: number; readonly maxMs: number };
  /** A safe summary of a config for the admin API and logs (a host name, a fingerprint); never a secret. */
  describe?(config: TConfig): Record<string, unknown>;
  /** Delivers one event. Throw a RetryableError/PermanentError (or let `ctx.http` throw) to fail. */
  deliver(event: UserRegisteredEvent, config: TConfig, ctx: ConnectorContext): Promise<DeliveryOutcome | void>;
}

/** Declares a connector plugin. A factory, not a base class: a plugin is plain data plus functions. */
export function defineConnector<TConfig>(plugin: ConnectorPlugin<TConfig>): ConnectorPlugin<TConfig> {
  if (!/^[a-z][a-z0-9-]*$/.test(plugin.type)) {
    throw new TypeError(`defineConnector: type must be lowercase kebab-case, received ${JSON.stringify(plugin.type)}`);
  }
  if (typeof plugin.deliver !== 'function') {
    throw new TypeError(`defineConnector(${plugin.type}): deliver must be a function`);
  }
  return Object.freeze({ ...plugin });
}
