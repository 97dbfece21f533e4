import type { ConfigRegistry } from '../config/config.registry';
import { messageOf } from '../delivery/executor/error-classifier';
import type { DestinationGuard } from '../delivery/executor/destination-guard';
import type { BullmqConnections } from '../delivery/transports/bullmq.connections';
import type { Transport } from '../delivery/transports/transport';
import type { Sandbox, SandboxStatus } from '../hooks/host/sandbox.types';
import { SANDBOX_LIMITS } from '../hooks/host/sandbox.limits';
import type { Redactor } from '../core/logging/redactor';
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

/** What a check looks at: the module's parts (wired in hookline.providers.ts). */
export interface HealthParts {
  transport: Transport;
  /** The bullmq transport's Redis, or null with `inline`. */
  bullmq: BullmqConnections | null;
  sandbox: Sandbox;
  config: ConfigRegistry;
  guard: DestinationGuard;
  redactor: Redactor;
  /** The module option `health.failOnTransportDown`. */
  failOnTransportDown: boolean;
}

/**
 * The health of this Hookline instance, for a load balancer's check (through `HooklineHealthIndicator`
 * of `hookline/health`, or a route of the host's own). It is `down` only when this instance cannot deliver
 * at all: no config has ever loaded, or hooks are configured and no sandbox worker starts after repeated
 * restarts. Redis unreachable, a rejected config change and open circuits make it `degraded`, unless
 * `health.failOnTransportDown` makes an unreachable Redis `down`.
 */
export class HooklineHealth {
  constructor(private readonly parts: HealthParts) {}

  async check(): Promise<HooklineHealthReport> {
    const { config, transport, guard } = this.parts;
    const loaded = config.loaded;
    const consumers = loaded ? [...config.config.consumers.values()] : [];
    const [redis, waiting, openCircuits] = await Promise.all([
      this.pingRedis(),
      transport.waiting ? transport.waiting().catch(() => null) : Promise.resolve(null),
      loaded ? guard.openCircuits(consumers).then((tenants) => tenants.length, () => null) : Promise.resolve(null),
    ]);
    const sandbox = consumers.some((c) => c.kind === 'hook') ? this.parts.sandbox.status?.() : undefined;
    const rejected = config.lastRejected;

    const fatal: string[] = [];
    const impaired: string[] = [];
    if (!loaded) fatal.push('no config has loaded');
    if (sandbox && sandbox.workers === 0 && sandbox.failedStarts >= SANDBOX_LIMITS.workerStartAttempts) {
      fatal.push(`hooks are configured and no sandbox worker starts (${sandbox.failedStarts} failed starts in a row)`);
    }
    if (redis && redis !== 'up') {
      const problem = `Redis does not answer (${redis}): deliveries wait, publishing fails`;
      (this.parts.failOnTransportDown ? fatal : impaired).push(problem);
    }
    if (rejected) impaired.push(`the config change of ${rejected.at} was rejected; the last good config stays`);
    if (openCircuits) impaired.push(`${openCircuits} destination circuit(s) open: their deliveries wait`);

    return {
      status: fatal.length ? 'down' : impaired.length ? 'degraded' : 'up',
      problems: [...fatal, ...impaired],
      transport: transport.name,
      ...(redis ? { redis: redis === 'up' ? 'up' : 'down' } : {}),
      config: { loaded, lastRejectedAt: rejected?.at ?? null },
      ...(sandbox ? { sandbox } : {}),
      waiting,
      openCircuits,
    };
  }

  /** `up`, the reason Redis did not answer, or undefined without Redis (inline). */
  private async pingRedis(): Promise<string | undefined> {
    const { bullmq, redactor } = this.parts;
    if (!bullmq) return undefined;
    try {
      const answer = await orAfter(bullmq.redis.ping(), PING_TIMEOUT_MS, null);
      return answer === null ? `no answer within ${PING_TIMEOUT_MS} ms` : 'up';
    } catch (error) {
      return redactor.redact(messageOf(error));
    }
  }
}
