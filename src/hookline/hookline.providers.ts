import { Logger, type Provider } from '@nestjs/common';
import { BUILTIN_CONNECTORS } from '../../connectors';
import { ConfigRegistry } from './config/config.registry';
import { ConnectorRegistry } from './connectors/connector.registry';
import { DeliveryExecutor } from './dispatch/delivery.executor';
import { MemoryDeliveryLog, type DeliveryLog } from './dispatch/delivery-log';
import { Dispatcher } from './dispatch/dispatcher';
import { createRateLimiter, type RateLimiter } from './dispatch/rate-limiter';
import { DEFAULT_RETRY } from './dispatch/retry.policy';
import { InlineTransport } from './dispatch/transports/inline.transport';
import type { Transport } from './dispatch/transports/transport';
import { HOOKLINE_OPTIONS } from './hookline.module-definition';
import { DEFAULTS, type HooklineModuleOptions } from './hookline.options';
import {
  HOOKLINE_CONNECTORS,
  HOOKLINE_DELIVERY_LOG,
  HOOKLINE_LOGGER,
  HOOKLINE_RATE_LIMITER,
  HOOKLINE_SANDBOX,
  HOOKLINE_SHUTDOWN,
  HOOKLINE_TRANSPORT,
} from './hookline.tokens';
import { HooklineLogger } from './logging/hookline.logger';
import { createHookPlugin } from './sandbox/hook.plugin';
import { SandboxLifecycle, createSandbox } from './sandbox/sandbox.lifecycle';
import type { Sandbox } from './sandbox/sandbox.types';
import { Redactor } from './logging/redactor';

/** The wiring of the module, kept apart from its declaration. Plain factories: every part is testable alone. */
export const hooklineProviders: Provider[] = [
  {
    provide: HOOKLINE_LOGGER,
    inject: [HOOKLINE_OPTIONS],
    useFactory: (o: HooklineModuleOptions) =>
      new HooklineLogger(o.logger === undefined ? new Logger('Hookline') : o.logger, new Redactor()),
  },
  {
    provide: HOOKLINE_SANDBOX,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_LOGGER],
    useFactory: (o: HooklineModuleOptions, logger: HooklineLogger) => createSandbox(o.sandbox, logger),
  },
  SandboxLifecycle,
  {
    provide: HOOKLINE_CONNECTORS,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_SANDBOX],
    useFactory: (o: HooklineModuleOptions, sandbox: Sandbox) =>
      new ConnectorRegistry([...BUILTIN_CONNECTORS, createHookPlugin(sandbox), ...(o.connectors ?? [])]),
  },
  {
    provide: ConfigRegistry,
    inject: [HOOKLINE_OPTIONS, HOOKLINE_CONNECTORS, HOOKLINE_LOGGER],
    useFactory: (o: HooklineModuleOptions, registry: ConnectorRegistry, logger: HooklineLogger) =>
      new ConfigRegistry(
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
    provide: HOOKLINE_DELIVERY_LOG,
    inject: [HOOKLINE_OPTIONS],
    useFactory: (o: HooklineModuleOptions) => o.deliveryLog ?? new MemoryDeliveryLog(),
  },
  { provide: HOOKLINE_SHUTDOWN, useFactory: () => new AbortController() },
  {
    // Per process for `inline`. A Redis-backed transport passes its client here
    // (`createRateLimiter({ redis })`), so limits hold across every instance.
    provide: HOOKLINE_RATE_LIMITER,
    useFactory: (): RateLimiter => createRateLimiter(),
  },
  {
    provide: DeliveryExecutor,
    inject: [HOOKLINE_OPTIONS, ConfigRegistry, HOOKLINE_DELIVERY_LOG, HOOKLINE_LOGGER, HOOKLINE_SHUTDOWN, HOOKLINE_RATE_LIMITER],
    useFactory: (
      o: HooklineModuleOptions,
      config: ConfigRegistry,
      log: DeliveryLog,
      logger: HooklineLogger,
      shutdown: AbortController,
      rateLimiter: RateLimiter,
    ) =>
      new DeliveryExecutor(config, log, logger, shutdown.signal, {
        concurrency: o.concurrency ?? DEFAULTS.concurrency,
        rateLimiter,
      }),
  },
  {
    provide: HOOKLINE_TRANSPORT,
    inject: [DeliveryExecutor, HOOKLINE_DELIVERY_LOG, HOOKLINE_LOGGER],
    useFactory: (executor: DeliveryExecutor, log: DeliveryLog, logger: HooklineLogger) =>
      new InlineTransport(executor, log, logger),
  },
  {
    provide: Dispatcher,
    inject: [ConfigRegistry, HOOKLINE_DELIVERY_LOG, HOOKLINE_TRANSPORT, HOOKLINE_LOGGER],
    useFactory: (config: ConfigRegistry, log: DeliveryLog, transport: Transport, logger: HooklineLogger) =>
      new Dispatcher(config, log, transport, logger),
  },
];
