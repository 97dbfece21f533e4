import type { ConfigRegistry } from './config/config.registry';
import type { TelemetrySources } from './core/telemetry/hookline-telemetry';
import type { DestinationGuard } from './delivery/executor/destination-guard';
import type { Transport } from './delivery/transports/transport';
import { SandboxPool } from './hooks/host/sandbox.pool';
import type { Sandbox } from './hooks/host/sandbox.types';

/**
 * What the gauges read at each collection: the transport's waiting deliveries, the sandbox pool's workers
 * (none for a host's own sandbox), and the circuits of the configured consumers' destinations (in Redis
 * with bullmq: one read per destination, at collection time only).
 */
export function telemetrySources(transport: Transport, sandbox: Sandbox, config: ConfigRegistry, guard: DestinationGuard): TelemetrySources {
  return {
    // Every configured consumer counts, with 0 when none waits: a drained backlog shows as 0, not as a gap.
    waiting: async () => [
      ...[...config.config.consumers.values()].map((c) => ({ consumerId: c.id, count: 0 })),
      ...((await transport.waitingByConsumer?.()) ?? []),
    ],
    ...(sandbox instanceof SandboxPool ? { sandboxWorkers: () => sandbox.workerCount } : {}),
    openCircuits: () => guard.openCircuits(config.config.consumers.values()),
  };
}
