import type { TriggerId } from '../core/events/user-registered.event';
import type { ConnectorPlugin, RetrySettings } from '../connectors/sdk';

export type ConsumerKind = 'hook' | 'connector';

/** A destination's circuit breaker settings (`defaults.circuit`, a tenant's or a consumer's `circuit`). */
export interface CircuitSettings {
  /** Consecutive countable failures (timeouts, connection errors, 5xx, a 429 without a window) that open it. */
  failureThreshold: number;
  /** Wait before the first probe; doubles after each failed probe. */
  cooldownMs: number;
  maxCooldownMs: number;
  /** A destination down longer than this dead-letters its waiting deliveries. */
  deadAfterMs: number;
}

/** How a consumer's requests share the instance's request slots. */
interface SlotSettings {
  /** Requests in flight to the destination at most (the lowest of the consumers sharing it). */
  maxInFlight: number;
  /** Slots of an instance the tenant may hold at most. */
  tenantMaxSlots: number;
  /** Deliveries that may wait for the destination (in memory, inline) before the overflow is dead-lettered. */
  maxWaiting: number;
  /** The tenant's weight in the round-robin of slots. */
  weight: number;
}

export const DELIVERY_DEFAULTS = { maxInFlightPerDestination: 4, tenantMaxSlots: 8, maxWaitingPerDestination: 10_000 } as const;
/** A tenant's CPU budget in the hook sandbox (`defaults.sandbox.cpuBudget`, a tenant's `sandbox.cpuBudget`). */
export interface CpuBudgetSettings {
  /** Milliseconds of isolate CPU its hooks may use per window before they go after other tenants' waiting hooks. */
  cpuMs: number;
  /** The sliding window, in ms. */
  windowMs: number;
}

export const SANDBOX_DEFAULTS: { cpuBudget: CpuBudgetSettings } = { cpuBudget: { cpuMs: 1_000, windowMs: 10_000 } };

export const CIRCUIT_DEFAULTS: CircuitSettings = {
  failureThreshold: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 600_000,
  deadAfterMs: 3 * 24 * 3600_000,
};

/** A hook or connector instance enabled for a tenant, ready to run. */
export interface Consumer {
  /** Stable id: `tenant/type/name`. */
  id: string;
  tenant: string;
  kind: ConsumerKind;
  type: string;
  name: string;
  triggers: readonly TriggerId[];
  plugin: ConnectorPlugin<unknown>;
  /** The plugin's parsed config. Holds secrets: never log or return it. */
  config: unknown;
  retry: Required<RetrySettings>;
  timeoutMs: number;
  /**
   * Where its requests go, as operators see it: an origin (`https://hooks.slack.com`), a HubSpot token
   * fingerprint, `hook:<name>`. Never a secret. Caps and circuits apply per (tenant, destination).
   */
  destination: string;
  slots: SlotSettings;
  circuit: CircuitSettings;
}

/** A validated config: every enabled consumer by tenant, and every secret value to redact. */
export interface CompiledConfig {
  source: string;
  tenants: ReadonlyMap<string, readonly Consumer[]>;
  consumers: ReadonlyMap<string, Consumer>;
  /** Configured tenants, including those whose consumers are all disabled. */
  tenantIds: readonly string[];
  secretValues: readonly string[];
  /** Admin API tokens from the file's `admin.tokens` (secret values: redacted like the others). */
  adminTokens?: readonly { token: string; tenants?: string[] }[];
  /** Consumers listed but disabled, by id (for `hookline validate`). */
  disabled: readonly string[];
  /** What the plugins found worth a warning in enabled consumers (`path`: the entry's, e.g. tenants.acme.hooks[0]). */
  warnings: ReadonlyArray<{ path: string; consumerId: string; message: string }>;
}
