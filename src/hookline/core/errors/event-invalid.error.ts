import { HooklineError } from './hookline.error';
import { messages } from './hookline.messages';

export class EventInvalidError extends HooklineError {
  constructor(
    readonly field: string,
    expected: string,
    received: unknown,
  ) {
    super('EVENT_INVALID', messages.eventInvalid(field, expected, received));
  }
}
