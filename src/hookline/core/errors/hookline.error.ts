/** Base of every error Hookline throws or records. `code` is stable: match on it, not on the message. */
export class HooklineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
