import { HooklineError } from './hookline.error';
import { messages } from './hookline.messages';

/** A durable transport could not take deliveries (Redis down): `publish` rejects with it, nothing was enqueued. */
export class TransportUnavailableError extends HooklineError {
  constructor(where: string, deliveries: number, cause: unknown) {
    super('TRANSPORT_UNAVAILABLE', messages.transportUnavailable(where, deliveries, reasonOf(cause)), { cause });
  }
}

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
