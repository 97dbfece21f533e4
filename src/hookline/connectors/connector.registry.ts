import type { ConnectorPlugin } from './sdk';
import { messages } from '../core/errors/hookline.messages';

/** The connector plugins known to this app: the built-ins plus those passed to `forRoot`. */
export class ConnectorRegistry {
  private readonly plugins = new Map<string, ConnectorPlugin<unknown>>();

  constructor(plugins: Iterable<ConnectorPlugin<unknown>>) {
    for (const plugin of plugins) {
      if (this.plugins.has(plugin.type)) throw new TypeError(messages.duplicatePlugin(plugin.type));
      this.plugins.set(plugin.type, plugin);
    }
  }

  get(type: string): ConnectorPlugin<unknown> | undefined {
    return this.plugins.get(type);
  }

  /** Types that may appear under `connectors:` (the hook runtime is configured under `hooks:`). */
  types(): string[] {
    return [...this.plugins.keys()].filter((t) => t !== HOOK_PLUGIN_TYPE).sort();
  }
}

/** The plugin type behind `hooks:` entries; provided by the sandbox. */
export const HOOK_PLUGIN_TYPE = 'hook';
