import { Logger, type Provider } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConfigRegistry } from './config/config.registry';
import { builtinConnectors } from './connectors/builtin-connectors';
import { ConnectorRegistry } from './connectors/connector.registry';
import { DeliveryExecutor } from './delivery/executor/delivery.executor';
import { DEFAULT_RETENTION_SECONDS, MemoryDeliveryLog, type DeliveryLog } from './delivery/records/delivery-log';
import { DeliveryRecords } from './delivery/records/delivery-records';
import { Dispatcher } from './delivery/dispatcher';
import { createRateLimiter, type RateLimiter } from './delivery/scheduler/rate-limiter';
import { DEFAULT_RETRY } from './core/retry/retry.policy';
import { BullmqDeliveryLog } from './delivery/transports/bullmq-delivery-log';
import type { Transport } from './delivery/transports/transport';
import type { BullmqConnections } from './delivery/transports/bullmq.connections';
import { createBullmqConnections, createTransport } from './delivery/transports/transport.factory';
import { HOOKLINE_OPTIONS, HOOKLINE_OPTIONS_INPUT } from './hookline.module-definition';
import { validateModuleOptions } from './hookline.options.schema';
import { DEFAULTS, type HooklineModuleOptions } from './hookline.options';
import {
  HOOKLINE_BULLMQ,
  HOOKLINE_CONNECTORS,
  HOOKLINE_DELIVERY_LOG,
  HOOKLINE_LOGGER,
  HOOKLINE_RATE_LIMITER,
  HOOKLINE_SANDBOX,
  HOOKLINE_SHUTDOWN,
  HOOKLINE_TELEMETRY,
  HOOKLINE_TENANT_STORE,
  HOOKLINE_TRANSPORT,
} from './hookline.tokens';
import { HooklineTelemetry } from './core/telemetry/hookline-telemetry';
import { telemetrySources } from './hookline.telemetry';
import { HooklineTenants, type TenantsDeps } from './tenants/hookline-tenants';
import { openTenantStore } from './tenants/tenant-store.factory';
import { HooklineLogger } from './core/logging/hookline.logger';
import { createHookPlugin } from './hooks/hook.plugin';
import { SandboxLifecycle, createSandbox } from './sandbox.lifecycle';
import type { Sandbox } from './hooks/host/sandbox.types';
import { Redactor } from './core/logging/redactor';
import { MemoryHookStorage } from './hooks/storage/memory-hook-storage';
import { RedisHookStorage } from './hooks/storage/redis-hook-storage';
import { DestinationGuard } from './delivery/executor/destination-guard';
import { MemoryCircuitStore } from './delivery/executor/circuit-breaker';
import { RedisCircuitStore } from './delivery/transports/redis-circuit-store';
import { RedisDestinationLeases } from './delivery/transports/redis-destination-leases';
import { MemorySharedValues, RedisSharedValues } from './delivery/executor/shared-values';
import { HooklineHealth } from './health/hookline-health';

/** The wiring of the module, kept apart from its declaration. Plain factories: every part is testable alone. */
export const hooklineProviders: Provider[] = [
  { provide: HOOKLINE_OPTIONS, inject: [HOOKLINE_OPTIONS_INPUT], useFactory: validateModuleOptions },
  {
    provide: HOOKLINE_LOGGER,
    inject: [HOOKLINE_OPTIONS],
    useFactory: (o: HooklineModuleOptions) =>
      new HooklineLogger(o.logger === undefined ? new Logger('Hookline') : o.logger, new Redactor()),
  },
  {
    provide: HOOKLINE_SANDBOX,
    // Hook storage: the host's, else the bullmq transport's Redis, else this process's memory.
    inject: [HOOKLINE_OPTIONS, HOOKLINE_LOGGER, HOOKLINE_BULLMQ, { token: EventEmitter2, optional: true }],
    useFactory: (o: HooklineModuleOptions, logger: HooklineLogger, bullmq: BullmqConnections | null, events: EventEmitter2 | undefined) =>
      createSandbox(o.sandbox, logger, events, o.hookStorage ?? (bullmq ? new RedisHookStorage(bullmq.redis, bullmq.options.prefix) : new MemoryHookStorage())),
  },
  SandboxLifecycle,
  {
    // Instruments are created here, once: on the MeterProvider registered when the module starts.
    provide: HOOKLINE_TELEMETRY,
    inject: [HOOKLINE_OPTIONS],
    useFactory: (o: HooklineModuleOptions) => new HooklineTelemetry(o.metrics),
  },
  {
    provide: HOOKLINE_CONNECTORS,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_SANDBOX, HOOKLINE_TELEMETRY],
    useFactory: (o: HooklineModuleOptions, sandbox: Sandbox, telemetry: HooklineTelemetry) =>
      new ConnectorRegistry([...builtinConnectors(), createHookPlugin(sandbox, telemetry), ...(o.connectors ?? [])]),
  },
  {
    provide: ConfigRegistry,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_CONNECTORS, HOOKLINE_LOGGER],
    useFactory: (o: HooklineModuleOptions, registry: ConnectorRegistry, logger: HooklineLogger) =>
      ConfigRegistry.create(
        o.config,
        {
          registry,
          defaults: {
            retry: { ...DEFAULT_RETRY, ...o.retry },
            timeoutMs: o.defaultTimeoutMs ?? DEFAULTS.defaultTimeoutMs,
          },
        },
        logger,
      ),
  },
  {
    // The tenant store, connected to the registry before anything dispatches (null without `store`).
    provide: HOOKLINE_TENANT_STORE,
    inject: [HOOKLINE_OPTIONS, ConfigRegistry, HOOKLINE_CONNECTORS, HOOKLINE_LOGGER],
    useFactory: async (o: HooklineModuleOptions, config: ConfigRegistry, connectors: ConnectorRegistry, logger: HooklineLogger) =>
      o.store ? openTenantStore(o.store, config, connectors, logger) : null,
  },
  {
    provide: HooklineTenants,
    inject: [HOOKLINE_TENANT_STORE],
    useFactory: (deps: TenantsDeps | null) => new HooklineTenants(deps ?? undefined),
  },
  {
    // The bullmq transport's Redis connections (null with inline). Its `redis` client is what a
    // Redis-backed rate limiter takes, so that limits hold across instances.
    provide: HOOKLINE_BULLMQ,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_LOGGER],
    useFactory: (o: HooklineModuleOptions, logger: HooklineLogger) =>
      createBullmqConnections(o.transport, o.concurrency ?? DEFAULTS.concurrency, logger, o.retention?.maxAgeSeconds),
  },
  {
    provide: HOOKLINE_DELIVERY_LOG,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_BULLMQ],
    useFactory: (o: HooklineModuleOptions, bullmq: BullmqConnections | null) =>
      o.deliveryLog ?? (bullmq ? new BullmqDeliveryLog(bullmq) : new MemoryDeliveryLog(undefined, retentionSecondsOf(o) * 1000)),
  },
  {
    // The one writer of delivery records (the dispatcher, the executor and the transport go through it).
    provide: DeliveryRecords,
    inject: [HOOKLINE_DELIVERY_LOG],
    useFactory: (log: DeliveryLog) => new DeliveryRecords(log),
  },
  { provide: HOOKLINE_SHUTDOWN, useFactory: () => new AbortController() },
  {
    // Per process for `inline`. With `bullmq`, counted in its Redis (under its key prefix), so limits
    // hold across every instance sharing the queue.
    provide: HOOKLINE_RATE_LIMITER,
    inject: [HOOKLINE_BULLMQ],
    useFactory: (bullmq: BullmqConnections | null): RateLimiter =>
      bullmq ? createRateLimiter({ redis: bullmq.redis, keyPrefix: `${bullmq.options.prefix}:rl` }) : createRateLimiter(),
  },
  {
    // Circuits in memory with `inline`; shared in Redis with `bullmq`. Operator events go to the host's emitter.
    provide: DestinationGuard,
    inject: [HOOKLINE_LOGGER, HOOKLINE_BULLMQ, { token: EventEmitter2, optional: true }],
    useFactory: (logger: HooklineLogger, bullmq: BullmqConnections | null, events: EventEmitter2 | undefined) =>
      bullmq
        ? new DestinationGuard(
            logger,
            new RedisCircuitStore(bullmq.redis, bullmq.options.prefix),
            events,
            new RedisDestinationLeases(bullmq.redis, logger, {
              prefix: bullmq.options.prefix,
              // Outlives a dead instance's job locks: its deliveries, run again, find their slots still theirs.
              leaseMs: bullmq.options.lockDurationMs + bullmq.options.stalledIntervalMs + 10_000,
            }),
          )
        : new DestinationGuard(logger, new MemoryCircuitStore(), events),
  },
  {
    provide: DeliveryExecutor,
    inject: [
      HOOKLINE_OPTIONS,
      ConfigRegistry,
      DeliveryRecords,
      HOOKLINE_LOGGER,
      HOOKLINE_SHUTDOWN,
      HOOKLINE_RATE_LIMITER,
      HOOKLINE_BULLMQ,
      DestinationGuard,
      HOOKLINE_TELEMETRY,
    ],
    useFactory: (
      o: HooklineModuleOptions,
      config: ConfigRegistry,
      records: DeliveryRecords,
      logger: HooklineLogger,
      shutdown: AbortController,
      rateLimiter: RateLimiter,
      bullmq: BullmqConnections | null,
      guard: DestinationGuard,
      telemetry: HooklineTelemetry,
    ) =>
      new DeliveryExecutor(config, records, logger, shutdown.signal, {
        concurrency: o.concurrency ?? DEFAULTS.concurrency,
        rateLimiter,
        guard,
        telemetry,
        // Connectors' shared values (OAuth access tokens): in Redis with bullmq, so instances load them once.
        shared: bullmq ? new RedisSharedValues(bullmq.redis, `${bullmq.options.prefix}:shared`) : new MemorySharedValues(),
        // A durable transport's deliveries wait in Redis, never in a worker slot.
        holdInMemory: !bullmq,
        // What lanes hold are active jobs: they leave `concurrency` worker slots (or half of them) to everything else.
        ...(bullmq ? { maxHeldInLanes: lanesShare(bullmq.options.workerConcurrency, o.concurrency ?? DEFAULTS.concurrency) } : {}),
      }),
  },
  {
    provide: HOOKLINE_TRANSPORT,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_BULLMQ, DeliveryExecutor, DeliveryRecords, HOOKLINE_LOGGER, HOOKLINE_SHUTDOWN],
    useFactory: (
      o: HooklineModuleOptions,
      bullmq: BullmqConnections | null,
      executor: DeliveryExecutor,
      records: DeliveryRecords,
      logger: HooklineLogger,
      shutdown: AbortController,
    ) =>
      createTransport(o.transport, bullmq, {
        executor,
        records,
        logger,
        shutdown,
        retentionSeconds: retentionSecondsOf(o),
      }),
  },
  {
    provide: Dispatcher,
    inject: [ConfigRegistry, DeliveryRecords, HOOKLINE_TRANSPORT, HOOKLINE_LOGGER, HOOKLINE_TELEMETRY, HOOKLINE_SANDBOX, DestinationGuard],
    useFactory: (
      config: ConfigRegistry,
      records: DeliveryRecords,
      transport: Transport,
      logger: HooklineLogger,
      telemetry: HooklineTelemetry,
      sandbox: Sandbox,
      guard: DestinationGuard,
    ) => {
      // The gauges read the transport, the sandbox and the circuits, now that they all exist.
      telemetry.observe(telemetrySources(transport, sandbox, config, guard));
      return new Dispatcher(config, records, transport, logger, telemetry);
    },
  },
  {
    // Health checks (the `hookline/health` indicator, or a host's own route) read these parts.
    provide: HooklineHealth,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_TRANSPORT, HOOKLINE_BULLMQ, HOOKLINE_SANDBOX, HOOKLINE_LOGGER, ConfigRegistry, DestinationGuard],
    useFactory: (o: HooklineModuleOptions, transport: Transport, bullmq: BullmqConnections | null, sandbox: Sandbox, logger: HooklineLogger, config: ConfigRegistry, guard: DestinationGuard) =>
      new HooklineHealth({ transport, bullmq, sandbox, config, guard, redactor: logger.redactor, failOnTransportDown: o.health?.failOnTransportDown ?? false }),
  },
];

function retentionSecondsOf(o: HooklineModuleOptions): number {
  return o.retention?.maxAgeSeconds ?? DEFAULT_RETENTION_SECONDS;
}

/** Worker slots that batch and rate-limit lanes may hold on the bullmq transport. */
function lanesShare(workerConcurrency: number, concurrency: number): number {
  return Math.max(1, workerConcurrency - concurrency, Math.floor(workerConcurrency / 2));
}
