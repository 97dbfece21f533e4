import { HooklineError } from './hookline.error';
import type { ConfigIssue } from './config-issue';
import { messages } from './hookline.messages';

export type { ConfigIssue };

/** The config (file or inline object) is invalid. Lists every problem, not only the first. */
export class ConfigInvalidError extends HooklineError {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super('CONFIG_INVALID', messages.configInvalid(source, issues));
  }
}
