import type { TriggerId } from '../core/events/user-registered.event';
import type { ConnectorPlugin, RetrySettings } from '../connectors/sdk';

export type ConsumerKind = 'hook' | 'connector';

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
}

/** A validated config: every enabled consumer by tenant, and every secret value to redact. */
export interface CompiledConfig {
  source: string;
  tenants: ReadonlyMap<string, readonly Consumer[]>;
  consumers: ReadonlyMap<string, Consumer>;
  /** Configured tenants, including those whose consumers are all disabled. */
  tenantIds: readonly string[];
  secretValues: readonly string[];
  /** Consumers listed but disabled, by id (for `hookline validate`). */
  disabled: readonly string[];
  /** What the plugins found worth a warning in enabled consumers (`path`: the entry's, e.g. tenants.acme.hooks[0]). */
  warnings: ReadonlyArray<{ path: string; consumerId: string; message: string }>;
}
