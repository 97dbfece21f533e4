import { HooklineError } from './hookline.error';
import { messages } from './hookline.messages';
import { errorMessage } from '../util/error-message';

/** A durable transport could not take deliveries (Redis down): `publish` rejects with it, nothing was enqueued. */
export class TransportUnavailableError extends HooklineError {
  constructor(where: string, deliveries: number, cause: unknown) {
    super('TRANSPORT_UNAVAILABLE', messages.transportUnavailable(where, deliveries, errorMessage(cause)), { cause });
  }
}
