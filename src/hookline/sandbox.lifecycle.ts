import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigRegistry } from './config/config.registry';
import { HOOKLINE_OPTIONS } from './hookline.module-definition';
import type { HooklineModuleOptions } from './hookline.options';
import { HOOKLINE_SANDBOX } from './hookline.tokens';
import type { HooklineLogger } from './core/logging/hookline.logger';
import { SandboxPool } from './hooks/host/sandbox.pool';
import type { Sandbox } from './hooks/host/sandbox.types';
import type { HookStorage } from './hooks/storage/hook-storage';
import { emitOperatorEvent, OPERATOR_EVENTS, type OperatorEventSink } from './core/events/operator.events';

/**
 * The sandbox the module uses: the host's own, or a pool of worker processes sized by the options. A
 * tenant held back for its CPU budget is reported as `hookline.tenant.throttled` on the host's emitter.
 */
export function createSandbox(option: HooklineModuleOptions['sandbox'], logger: HooklineLogger, events?: OperatorEventSink, storage?: HookStorage): Sandbox {
  if (option && 'invoke' in option && typeof option.invoke === 'function') return option;
  const settings = (option ?? {}) as { workers?: number; workerMaxRssMb?: number; cpuSlots?: number; ca?: string };
  return new SandboxPool({
    size: settings.workers,
    workerMaxRssMb: settings.workerMaxRssMb,
    cpuSlots: settings.cpuSlots,
    ca: settings.ca,
    storage,
    log: (level, message, fields) => logger[level](message, fields),
    onThrottled: ({ tenant, hookId, reason }) =>
      emitOperatorEvent(events, OPERATOR_EVENTS.tenantThrottled, {
        tenant,
        consumerId: hookId,
        // A hook's destination, as its circuit and cap know it: `hook:<name>`.
        destination: `hook:${hookId.slice(hookId.lastIndexOf('/') + 1)}`,
        reason,
      }),
  });
}

/**
 * Starts the sandbox's workers when hooks are configured, and closes the worker processes of the sandbox the module created, once deliveries have drained
 * (Nest calls `onApplicationShutdown` after every `onModuleDestroy`). A host-provided sandbox is the host's.
 */
@Injectable()
export class SandboxLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(HOOKLINE_SANDBOX) private readonly sandbox: Sandbox,
    @Inject(HOOKLINE_OPTIONS) private readonly options: HooklineModuleOptions,
    private readonly config: ConfigRegistry,
  ) {}

  /** With hooks configured, workers start now, so the first sign-up does not wait for a process to fork. */
  onApplicationBootstrap(): void {
    const hasHooks = [...this.config.config.consumers.values()].some((c) => c.kind === 'hook');
    if (hasHooks && this.sandbox instanceof SandboxPool) this.sandbox.warmUp();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sandbox !== this.options.sandbox) await this.sandbox.close();
  }
}
