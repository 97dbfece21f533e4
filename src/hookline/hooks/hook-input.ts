import type { UserRegisteredEvent } from '../core/events/user-registered.event';
import type { HookInput } from './host/sandbox.types';

/**
 * Builds what each script form receives from our event: Auth0 Hooks' `user`/`context`, Auth0 Actions' `event`.
 * A test event from the admin API adds `test: true` to `context` (Hooks) and to `event` (Actions).
 */
export function toHookInput(event: UserRegisteredEvent): HookInput {
  const { user, context } = event;
  const test = event.test ? { test: true } : {};
  return {
    user: { ...user },
    context: { requestLanguage: context.requestLanguage, connection: { ...context.connection }, ...test },
    actionsEvent: {
      user: {
        user_id: user.id,
        email: user.email,
        email_verified: user.emailVerified,
        username: user.username,
        phone_number: user.phoneNumber,
        phone_verified: user.phoneNumberVerified,
        user_metadata: user.user_metadata ?? {},
        app_metadata: user.app_metadata ?? {},
        created_at: event.occurredAt,
      },
      connection: { id: context.connection.id, name: context.connection.name, strategy: 'auth0', metadata: {} },
      request: { language: context.requestLanguage },
      tenant: { id: event.tenant },
      transaction: { id: event.id },
      ...test,
    },
    eventId: event.id,
  };
}

/**
 * Turns a Runner payload into an event: either Auth0's `{ user, context }` or a full `user.registered`
 * event. Lenient on purpose: the Runner tries a hook on whatever the developer hands it.
 */
export function eventFromPayload(payload: Record<string, unknown>): UserRegisteredEvent {
  const user = (payload.user ?? {}) as Record<string, unknown>;
  const context = (payload.context ?? {}) as Record<string, unknown>;
  const connection = (context.connection ?? {}) as Record<string, string>;
  const tenant = String(payload.tenant ?? user.tenant ?? connection.tenant ?? 'my-tenant');
  return {
    id: String(payload.id ?? 'evt_runner'),
    occurredAt: String(payload.occurredAt ?? new Date().toISOString()),
    tenant,
    user: { emailVerified: false, phoneNumberVerified: false, user_metadata: {}, app_metadata: {}, ...user, id: String(user.id ?? ''), tenant } as UserRegisteredEvent['user'],
    context: {
      requestLanguage: context.requestLanguage as string | undefined,
      connection: { id: 'con_runner', name: 'Username-Password-Authentication', tenant, ...connection },
    },
  };
}
