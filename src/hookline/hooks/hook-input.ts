import type { UserRegisteredEvent } from '../core/events/user-registered.event';
import type { HookInput } from './host/sandbox.types';

/** Builds what each script form receives from our event: Auth0 Hooks' `user`/`context`, Auth0 Actions' `event`. */
export function toHookInput(event: UserRegisteredEvent): HookInput {
  const { user, context } = event;
  return {
    user: { ...user },
    context: { requestLanguage: context.requestLanguage, connection: { ...context.connection } },
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
    },
    eventId: event.id,
  };
}

/**
 * The Runner's default payload: the `user` and `context` of Auth0's Post User Registration starter code
 * (its Runner simulates exactly these), with an id so Actions get a `user_id`.
 */
export const AUTH0_STARTER_PAYLOAD = {
  user: {
    id: 'abc123',
    tenant: 'my-tenant',
    username: 'user1',
    email: 'user1@foo.com',
    emailVerified: true,
    phoneNumber: '1-000-000-0000',
    phoneNumberVerified: true,
    user_metadata: { hobby: 'surfing' },
    app_metadata: { plan: 'full' },
  },
  context: {
    requestLanguage: 'en-us',
    connection: { id: 'con_xxxxxxxxxxxxxxxx', name: 'Username-Password-Authentication', tenant: 'my-tenant' },
  },
} as const;

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
