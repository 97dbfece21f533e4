import { HooklineError } from './hookline.error';
import { messages } from './hookline.messages';

export class EventEmitterMissingError extends HooklineError {
  constructor() {
    super('EVENT_EMITTER_MISSING', messages.eventEmitterMissing());
  }
}
