import type { ConnectorPlugin } from './sdk';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const builtins = new Map<string, ConnectorPlugin<any>>();

/**
 * Makes connectors available to every HooklineModule of the process without listing them in `forRoot`.
 * The package's main entry registers the ones shipped in `connectors/`; this folder never imports them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerBuiltinConnectors(plugins: readonly ConnectorPlugin<any>[]): void {
  for (const plugin of plugins) builtins.set(plugin.type, plugin);
}

/** The registered built-ins, in registration order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function builtinConnectors(): ConnectorPlugin<any>[] {
  return [...builtins.values()];
}
