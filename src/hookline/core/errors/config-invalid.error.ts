import { HooklineError } from './hookline.error';
import { messages } from './hookline.messages';

export interface ConfigIssue {
  /** Path inside the config, e.g. `tenants.acme.connectors[1].url`. */
  path: string;
  message: string;
}

/** The config (file or inline object) is invalid. Lists every problem, not only the first. */
export class ConfigInvalidError extends HooklineError {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super('CONFIG_INVALID', messages.configInvalid(source, issues));
  }
}
