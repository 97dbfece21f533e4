import { HooklineError } from '../core/errors/hookline.error';

/** The admin module cannot start: a bad option, no way in, or no `HooklineModule` in the app. */
export class AdminSetupError extends HooklineError {
  constructor(message: string) {
    super('ADMIN_SETUP_INVALID', message);
  }
}
