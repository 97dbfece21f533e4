import { HooklineError } from './hookline.error';

/** A listing's `cursor` is not one a previous page gave (the admin API answers 400 `INVALID_CURSOR`). */
export class CursorInvalidError extends HooklineError {
  /** The HTTP status the admin API answers with. */
  readonly status = 400;

  constructor() {
    super('INVALID_CURSOR', 'cursor: expected the nextCursor of a previous page, unchanged');
  }
}
