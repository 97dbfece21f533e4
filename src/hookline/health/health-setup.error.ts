import { HooklineError } from '../core/errors/hookline.error';

/** `HooklineHealthModule` is mounted in an app without `HooklineModule`. */
export class HealthSetupError extends HooklineError {
  constructor(message: string) {
    super('HEALTH_SETUP_INVALID', message);
  }
}
