import type { LoggerService } from '@nestjs/common';
import type { ConnectorPlugin, RetrySettings } from './connectors/sdk';
import type { DeliveryLog } from './delivery/records/delivery-log';
import type { BullmqTransportOptions } from './delivery/transports/bullmq.options';
import type { InlineTransportOptions } from './delivery/transports/inline.transport';
import type { Sandbox } from './hooks/host/sandbox.types';
import type { ConfigInput } from './config/config-source';
import type { TenantStoreOptions } from './tenants/tenant-store.options';
import type { HookStorage } from './hooks/storage/hook-storage';
import type { MetricsOptions } from './core/telemetry/hookline-telemetry';

export type TransportOptions = InlineTransportOptions | BullmqTransportOptions;

export interface HooklineModuleOptions {
  /**
   * The config: a path to a YAML (or `.json`) file, an inline object of the same shape, an async factory
   * returning one, or a `ConfigSource` of your own. Paths inside a file (hook scripts) are relative to the file.
   */
  config: ConfigInput;
  /**
   * The tenant store (PostgreSQL): tenants, consumers and encrypted secrets written at run time through
   * {@link HooklineTenants} or the admin API, seen by every instance within a second. The config above
   * keeps the defaults and the tenants an operator manages; a tenant lives in one or the other.
   * See docs/tenant-store.md.
   * @default undefined (no store)
   */
  store?: TenantStoreOptions;
  /**
   * Re-read the config file when it changes (ignored for an inline config).
   * @default true
   */
  watchConfig?: boolean;
  /**
   * Where deliveries wait: `inline` in this process's memory, or `bullmq` in Redis (durable, shared by
   * every instance using the same queue; see docs/transports.md).
   * @default { type: 'inline' }
   */
  transport?: TransportOptions;
  /**
   * Requests in flight at once, per app instance. A batch request counts once; deliveries waiting for
   * their batch or their rate-limit turn do not count.
   * @default 16
   */
  concurrency?: number;
  /**
   * Timeout of one delivery attempt, unless the config says otherwise.
   * @default 10000
   */
  defaultTimeoutMs?: number;
  /**
   * Retry schedule, unless the config says otherwise (`defaults.retry`, a tenant's or a consumer's `retry`).
   * @default { maxAttempts: 8, initialDelayMs: 5000, maxDelayMs: 120000 }
   */
  retry?: RetrySettings;
  /**
   * At shutdown, how long in-flight deliveries may take to finish before they are abandoned (and logged).
   * @default 10000
   */
  drainTimeoutMs?: number;
  /**
   * Where hook scripts run. By default a pool of sandbox worker processes (isolated-vm isolates, never in
   * the app's process), started on first use and closed at shutdown. Pass `{ workers }` to size it, or
   * your own {@link Sandbox} (which the host then closes). `ca`: extra CA certificates hooks' HTTPS
   * requests trust (PEM text, or a PEM file's path relative to the working directory); workers also
   * inherit the app's `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE` and `SSL_CERT_DIR`, and nothing else of its environment.
   * `cpuSlots`: tenants whose hooks may start at once in one worker; the others wait their turn,
   * round-robin by tenant, those past their CPU budget last (docs/isolation.md).
   * @default { workers: min(4, number of cores), workerMaxRssMb: 1536, cpuSlots: 2 }
   */
  sandbox?: Sandbox | { workers?: number; workerMaxRssMb?: number; cpuSlots?: number; ca?: string };
  /**
   * Where hooks' `context.webtask.storage` is kept (one JSON document of at most 500 KB per tenant and
   * hook). Implement {@link HookStorage} to keep it elsewhere. Ignored with a sandbox of your own.
   * @default in memory with `inline`; in the transport's Redis (under its prefix) with `bullmq`
   */
  hookStorage?: HookStorage;
  /** Connector plugins besides the built-ins (`connectors/index.ts`). */
  connectors?: ConnectorPlugin<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * Where Hookline logs; `false` for nowhere.
   * @default new Logger('Hookline')
   */
  logger?: LoggerService | false;
  /**
   * What health checks (`HooklineHealth`, and `HooklineHealthIndicator` of `hookline/health`) report.
   * By default an unreachable Redis makes them `degraded`, not `down`: sign-ups never wait on delivery,
   * so a load balancer should keep sending them. `failOnTransportDown: true` makes it `down` (HTTP 503).
   * @default { failOnTransportDown: false }
   */
  health?: { failOnTransportDown?: boolean };
  /**
   * Where delivery records are kept.
   * @default new MemoryDeliveryLog(10000) with `inline`; the queue's own job state with `bullmq`
   */
  deliveryLog?: DeliveryLog;
  /**
   * How long finished deliveries (succeeded or dead) are kept, with their payloads: the records the admin
   * API lists, the events kept for replay, and on `bullmq` the jobs in Redis (the default age of
   * `keepSucceeded` and `keepDead`, which can still set their own). Deliveries still waiting are kept
   * until they finish. A user's data can be erased sooner: `HooklineService.eraseUserData`.
   * @default { maxAgeSeconds: 604800 } (7 days)
   */
  retention?: { maxAgeSeconds?: number };

  /**
   * Hookline's OpenTelemetry metrics (recorded through `@opentelemetry/api`: nothing is exported unless
   * the host registers an SDK). `tenantLabel: true` adds a `tenant` label to them: mind the cardinality
   * with many tenants (docs/observability.md).
   * @default { tenantLabel: false } on the global MeterProvider
   */
  metrics?: MetricsOptions;
}

export const DEFAULTS = {
  concurrency: 16,
  defaultTimeoutMs: 10_000,
  drainTimeoutMs: 10_000,
  watchConfig: true,
} as const;
