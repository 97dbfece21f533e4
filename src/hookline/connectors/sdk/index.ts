/**
 * The connector SDK: everything a connector plugin may import from Hookline.
 * Connectors see this file and their own client library, never Nest internals.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { UserRegisteredEvent } from '../../core/events/user-registered.event';

export { z };
export type { UserRegisteredEvent };
export {
  ConnectorRequestError,
  DeliveryError,
  DeliveryTimeoutError,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from '../../core/errors/delivery.errors';
export {
  compileTemplate,
  renderTree,
  templateField,
  templateScope,
  templateTreeField,
  TemplateSyntaxError,
  TEMPLATE_LIMITS,
  type Template,
  type TemplateOptions,
  type TemplateScope,
  type TemplateTree,
} from './templates';
export { parseRetryAfter, type RetrySettings } from '../../core/retry/retry.policy';

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
  /**
   * The delivery's W3C trace context headers (`traceparent`, `tracestate`; none when the host runs no
   * OpenTelemetry SDK), for a client library that makes its own requests. `request` and `fetch` add them already.
   */
  traceHeaders(): Record<string, string>;
}

/** A value deliveries share, such as an OAuth access token, with when it stops being valid (epoch ms). */
export interface SharedValue {
  value: string;
  expiresAt: number;
}

/**
 * Values shared by every delivery of every instance sharing the transport (in Redis with bullmq, in this
 * process with inline). For a credential that must be fetched once, not once per delivery or instance.
 */
export interface SharedValues {
  /**
   * The value under `key` while it has more than `refreshBeforeMs` left; else `load()` runs, once at a time
   * for the key across the instances (a Redis lock with bullmq), and the other callers get its result.
   * Values may sit in Redis: encrypt a secret before returning it from `load`.
   */
  get(key: string, load: () => Promise<SharedValue>, options: { refreshBeforeMs: number }): Promise<SharedValue>;
  /** Forgets the value under `key` if it is still `value` (a token the API refused): the next `get` loads. */
  drop(key: string, value: string): Promise<void>;
}

export interface ConnectorContext {
  /** Aborted when the delivery times out or the app shuts down. Pass it to every I/O call. */
  signal: AbortSignal;
  /** This attempt's timeout: `signal` aborts once it is over. */
  timeoutMs: number;
  log: ConnectorLogger;
  http: HttpClient;
  delivery: DeliveryInfo;
  shared: SharedValues;
}

/** The context of one batch request: like {@link ConnectorContext}, for many deliveries at once. */
export interface BatchContext {
  /** Aborted when the request times out (the longest timeout of its deliveries) or the app shuts down. */
  signal: AbortSignal;
  log: ConnectorLogger;
  http: HttpClient;
  shared: SharedValues;
}

/** One delivery inside a batch. Items of one batch may come from different consumers (and tenants). */
export interface BatchItem<TConfig = unknown> {
  event: UserRegisteredEvent;
  config: TConfig;
  delivery: DeliveryInfo;
}

/** The outcome of one item: `ok` with what to record, or the error to classify (as if `deliver` threw it). */
export type BatchItemResult = { ok: true; detail?: Record<string, unknown> } | { ok: false; error: unknown };

/**
 * The batch form of a connector. The core groups deliveries whose configs give the same `key`, waits up to
 * `maxWaitMs` for `maxItems` of them (or less, when a rate-limit slot comes first), calls `deliverBatch`
 * once, and records each delivery from its own result. Items that share a key should share limits:
 * those of the first item of a batch apply.
 */
export interface BatchSpec<TConfig> {
  /** Grouping key, or undefined for a config that is not batched (then `deliver` is used). Never a secret. */
  key(config: TConfig): string | undefined;
  maxItems(config: TConfig): number;
  maxWaitMs(config: TConfig): number;
  /** One result per item, in the items' order. Throwing fails every item with that error. */
  deliverBatch(items: BatchItem<TConfig>[], ctx: BatchContext): Promise<BatchItemResult[]>;
}

/**
 * Requests allowed per key, shared by every consumer (every tenant) whose config gives the same key, and
 * across app instances when the limiter is backed by Redis. A delivery over the limit waits for its turn;
 * a 429 (a {@link RateLimitedError}, or an HTTP 429) pauses the whole key for its Retry-After.
 */
export interface RateLimitSpec {
  /** Never a secret: derive it from a fingerprint (a hash) of a token or URL. */
  key: string;
  requests: number;
  perMs: number;
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
  /** The file's `sandbox` section, read: extra CA certificates as PEM text, paths resolved. */
  sandbox?: {
    ca?: string;
    resolveFrom?: string;
    strictDependencies?: boolean;
    /** The tenant's CPU budget in the sandbox (`defaults.sandbox.cpuBudget`, then the tenant's own). */
    cpuBudget?: { cpuMs: number; windowMs: number };
  };
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
   * Secret fields that also take a list while a secret is being rotated (the first value is current,
   * the others still valid): the tenant store fills them with both values during a rotation's overlap.
   */
  readonly rotatableSecrets?: readonly string[];
  /**
   * The plugin's own attempt timeout: used when an entry sets no `timeoutMs`, and the most it may set.
   * Without it, the module's default applies and entries may set up to 300000 ms. `selfTimed`: the
   * plugin enforces `ctx.timeoutMs` itself, from when its work really starts (the hook sandbox, where
   * waiting for a tenant's turn does not count), so the executor sets no timer of its own on the attempt.
   */
  readonly timeouts?: { readonly defaultMs: number; readonly maxMs: number; readonly selfTimed?: boolean };
  /** A safe summary of a config for the admin API and logs (a host name, a fingerprint); never a secret. */
  describe?(config: TConfig): Record<string, unknown>;
  /**
   * What is worth a warning about a valid config (reported when the config loads and by `hookline
   * validate`, never failing it): a hook's conditional require of a module the sandbox lacks, say.
   */
  warnings?(config: TConfig): string[];
  /** Delivers one event. Throw a RetryableError/PermanentError (or let `ctx.http` throw) to fail. */
  deliver(event: UserRegisteredEvent, config: TConfig, ctx: ConnectorContext): Promise<DeliveryOutcome | void>;
  /**
   * Optional: what a test send from the admin API (`POST <path>/tenants/:tenant/consumers/:type/:name/test`)
   * does instead of delivering the test event: check the connection without writing anything, such as an
   * authenticated read (HubSpot reads one record, so a test never creates a contact). Throw as `deliver`
   * does to fail; the outcome's `detail` is shown to the operator. `ctx.delivery` names the test event
   * (its id starts with `test_`). Without it, a test sends the test event through `deliver`.
   */
  test?(config: TConfig, ctx: ConnectorContext): Promise<DeliveryOutcome | void>;
  /** Optional: deliver many events in one request (a digest, a batch API). See {@link BatchSpec}. */
  readonly batch?: BatchSpec<TConfig>;
  /** Optional: the pace the destination allows for this config. See {@link RateLimitSpec}. */
  rateLimit?(config: TConfig): RateLimitSpec | undefined;
  /**
   * Optional: where this config's requests go, for isolation: an origin (`https://api.example.com`) or an
   * account (a token's fingerprint). Consumers of one tenant with the same destination share its
   * in-flight cap and its circuit breaker; tenants never share one. Never a secret (it is shown to
   * operators). Without it, each consumer is its own destination (`<type>:<name>`).
   */
  destination?(config: TConfig): string | undefined;
}

/** Declares a connector plugin. A factory, not a base class: a plugin is plain data plus functions. */
export function defineConnector<TConfig>(plugin: ConnectorPlugin<TConfig>): ConnectorPlugin<TConfig> {
  if (!/^[a-z][a-z0-9-]*$/.test(plugin.type)) {
    throw new TypeError(`defineConnector: type must be lowercase kebab-case, received ${JSON.stringify(plugin.type)}`);
  }
  if (typeof plugin.deliver !== 'function') {
    throw new TypeError(`defineConnector(${plugin.type}): deliver must be a function`);
  }
  if (plugin.destination !== undefined && typeof plugin.destination !== 'function') {
    throw new TypeError(`defineConnector(${plugin.type}): destination must be a function`);
  }
  if (plugin.test !== undefined && typeof plugin.test !== 'function') {
    throw new TypeError(`defineConnector(${plugin.type}): test must be a function`);
  }
  if (plugin.batch && typeof plugin.batch.deliverBatch !== 'function') {
    throw new TypeError(`defineConnector(${plugin.type}): batch.deliverBatch must be a function`);
  }
  return Object.freeze({ ...plugin });
}

/**
 * Identifies a secret (a token, a webhook URL) in logs, records, rate-limit keys and the admin API
 * without revealing it: `sha256:` and the first 12 hex digits of its hash.
 */
export function fingerprint(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret).digest('hex').slice(0, 12);
}
