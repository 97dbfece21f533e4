import { HooklineError } from '../../core/errors/hookline.error';

/** A hook script that none of the accepted forms can parse; the message names the file, line and column. */
export class HookSourceSyntaxError extends HooklineError {
  constructor(
    message: string,
    readonly filename: string,
    readonly line: number,
    readonly column: number,
  ) {
    super('HOOK_SOURCE_SYNTAX', message);
  }
}

/** The isolate-ready module bundles are missing and cannot be built here. */
export class CompatBundlesMissingError extends HooklineError {
  constructor(message: string) {
    super('COMPAT_BUNDLES_MISSING', message);
  }
}
