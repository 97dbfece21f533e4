import type { ConnectorPlugin } from '../connectors/sdk';
import type { ConfigIssue } from '../core/errors/config-invalid.error';
import type { Consumer } from './config.model';

/**
 * The destination of a consumer: what its plugin declares (`destination(config)`: an origin, an account
 * fingerprint), or `<type>:<name>` for a plugin that declares none (a hook: `hook:<name>`).
 * Undefined (with an issue) when the plugin's function throws or returns something unusable.
 */
export function destinationOf(
  plugin: ConnectorPlugin<unknown>,
  config: unknown,
  name: string,
  path: string,
  issues: ConfigIssue[],
): string | undefined {
  if (!plugin.destination) return `${plugin.type}:${name}`;
  let destination: unknown;
  try {
    destination = plugin.destination(config);
  } catch (error) {
    issues.push({ path, message: `${plugin.type}: destination() failed: ${(error as Error)?.message ?? error}` });
    return undefined;
  }
  if (destination === undefined) return `${plugin.type}:${name}`;
  if (typeof destination !== 'string' || destination.length === 0 || destination.length > 200) {
    issues.push({ path, message: `${plugin.type}: destination() must return a non-empty string of at most 200 characters` });
    return undefined;
  }
  return destination;
}

/**
 * Consumers of one tenant that share a destination share its cap and its circuit: the lowest of their
 * settings applies to all of them (a stricter consumer is never loosened by a laxer one).
 */
export function settleSharedDestinations(consumers: readonly Consumer[]): void {
  const byDestination = new Map<string, Consumer[]>();
  for (const consumer of consumers) {
    const group = byDestination.get(consumer.destination) ?? [];
    group.push(consumer);
    byDestination.set(consumer.destination, group);
  }
  for (const group of byDestination.values()) {
    if (group.length < 2) continue;
    const maxInFlight = Math.min(...group.map((c) => c.slots.maxInFlight));
    const circuit = {
      failureThreshold: Math.min(...group.map((c) => c.circuit.failureThreshold)),
      cooldownMs: Math.min(...group.map((c) => c.circuit.cooldownMs)),
      maxCooldownMs: Math.min(...group.map((c) => c.circuit.maxCooldownMs)),
      deadAfterMs: Math.min(...group.map((c) => c.circuit.deadAfterMs)),
    };
    circuit.maxCooldownMs = Math.max(circuit.maxCooldownMs, circuit.cooldownMs);
    for (const consumer of group) {
      consumer.slots = { ...consumer.slots, maxInFlight };
      consumer.circuit = { ...circuit };
    }
  }
}
