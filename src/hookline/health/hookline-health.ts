import { Inject, Injectable } from '@nestjs/common';
import { ConfigRegistry } from '../config/config.registry';
import { messageOf } from '../delivery/executor/error-classifier';
import { DestinationGuard } from '../delivery/executor/destination-guard';
import type { BullmqConnections } from '../delivery/transports/bullmq.connections';
import type { Transport } from '../delivery/transports/transport';
import type { Sandbox, SandboxStatus } from '../hooks/host/sandbox.types';
import { SANDBOX_LIMITS } from '../hooks/host/sandbox.limits';
import { HOOKLINE_OPTIONS } from '../hookline.module-definition';
import type { HooklineModuleOptions } from '../hookline.options';
import { HOOKLINE_BULLMQ, HOOKLINE_LOGGER, HOOKLINE_SANDBOX, HOOKLINE_TRANSPORT } from '../hookline.tokens';
import type { HooklineLogger } from '../core/logging/hookline.logger';
import { orAfter } from '../core/util/timeout';

/** How long a health check waits for Redis to answer a PING. */
const PING_TIMEOUT_MS = 1_000;

/**
 * `up`; `degraded` (deliveries are impaired, sign-ups are not: emitting never waits on delivery); or
 * `down`: this instance cannot deliver at all.
 */
export type HooklineHealthStatus = 'up' | 'degraded' | 'down';

/** What a health check found. Counts and states only: never a tenant, a consumer or a secret. */
export interface HooklineHealthReport {
  status: HooklineHealthStatus;
  /** One sentence per problem found; empty when `up`. */
  problems: string[];
  /** `inline` or `bullmq`. */
  transport: string;
  /** With `bullmq`: whether its Redis answers a PING within a second. */
  redis?: 'up' | 'down';
  config: { loaded: boolean; lastRejectedAt: string | null };
  /** When hooks are configured and the sandbox reports its state. */
  sandbox?: SandboxStatus;
  /** Deliveries waiting for an attempt (this process's with `inline`, the queue's with `bullmq`); null when unknown. */
  waiting: number | null;
  /** Destinations of the config's consumers whose circuit is open; null when unknown (Redis down). */
  openCircuits: number | null;
}

/**
 * The health of this Hookline instance, for a load balancer's check (through `HooklineHealthIndicator`
 * of `hookline/health`, or a route of the host's own). It is `down` only when this instance cannot deliver
 * at all: no config has ever loaded, or hooks are configured and no sandbox worker starts after repeated
 * restarts. Redis unreachable, a rejected config change and open circuits make it `degraded`, unless
 * `health.failOnTransportDown` makes an unreachable Redis `down`.
 */
@Injectable()
export class HooklineHealth {
  constructor(
    @Inject(HOOKLINE_OPTIONS) private readonly options: HooklineModuleOptions,
    @Inject(HOOKLINE_TRANSPORT) private readonly transport: Transport,
    @Inject(HOOKLINE_BULLMQ) private readonly bullmq: BullmqConnections | null,
    @Inject(HOOKLINE_SANDBOX) private readonly sandbox: Sandbox,
    @Inject(HOOKLINE_LOGGER) private readonly logger: HooklineLogger,
    private readonly config: ConfigRegistry,
    private readonly guard: DestinationGuard,
  ) {}

  async check(): Promise<HooklineHealthReport> {
    const loaded = this.config.loaded;
    const consumers = loaded ? [...this.config.config.consumers.values()] : [];
    const [redis, waiting, openCircuits] = await Promise.all([
      this.pingRedis(),
      this.transport.waiting ? this.transport.waiting().catch(() => null) : Promise.resolve(null),
      loaded ? this.guard.openCircuits(consumers).catch(() => null) : Promise.resolve(null),
    ]);
    const sandbox = consumers.some((c) => c.kind === 'hook') ? this.sandbox.status?.() : undefined;
    const rejected = this.config.lastRejected;

    const fatal: string[] = [];
    const impaired: string[] = [];
    if (!loaded) fatal.push('no config has loaded');
    if (sandbox && sandbox.workers === 0 && sandbox.failedStarts >= SANDBOX_LIMITS.workerStartAttempts) {
      fatal.push(`hooks are configured and no sandbox worker starts (${sandbox.failedStarts} failed starts in a row)`);
    }
    if (redis && redis !== 'up') {
      const problem = `Redis does not answer (${redis}): deliveries wait, publishing fails`;
      (this.options.health?.failOnTransportDown ? fatal : impaired).push(problem);
    }
    if (rejected) impaired.push(`the config change of ${rejected.at} was rejected; the last good config stays`);
    if (openCircuits) impaired.push(`${openCircuits} destination circuit(s) open: their deliveries wait`);

    return {
      status: fatal.length ? 'down' : impaired.length ? 'degraded' : 'up',
      problems: [...fatal, ...impaired],
      transport: this.transport.name,
      ...(redis ? { redis: redis === 'up' ? 'up' : 'down' } : {}),
      config: { loaded, lastRejectedAt: rejected?.at ?? null },
      ...(sandbox ? { sandbox } : {}),
      waiting,
      openCircuits,
    };
  }

  /** `up`, the reason Redis did not answer, or undefined without Redis (inline). */
  private async pingRedis(): Promise<string | undefined> {
    if (!this.bullmq) return undefined;
    try {
      const answer = await orAfter(this.bullmq.redis.ping(), PING_TIMEOUT_MS, null);
      return answer === null ? `no answer within ${PING_TIMEOUT_MS} ms` : 'up';
    } catch (error) {
      return this.logger.redactor.redact(messageOf(error));
    }
  }
}
