import { HooklineError } from './hookline.error';
import { messages } from './hookline.messages';

/** A module option (`HooklineModule.forRoot({...})`) has a bad value. Names the option and what was expected. */
export class OptionsInvalidError extends HooklineError {
  constructor(
    readonly option: string,
    expected: string,
    received: unknown,
  ) {
    super('OPTIONS_INVALID', messages.optionInvalid(option, expected, received));
  }
}
