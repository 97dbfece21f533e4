import { randomUUID } from 'node:crypto';
import { EventInvalidError } from '../errors/event-invalid.error';
import { flatId } from '../util/flat-id';

/** The name the host app emits with `@nestjs/event-emitter`. */
export const USER_REGISTERED = 'user.registered';

/** Auth0's extension point for this event; consumers are configured against it. */
export const POST_USER_REGISTRATION = 'post-user-registration';

export type TriggerId = typeof POST_USER_REGISTRATION;

/** Which trigger each event name fires. The core is generic over triggers; this is the first. */
export const TRIGGER_BY_EVENT: Readonly<Record<string, TriggerId>> = {
  [USER_REGISTERED]: POST_USER_REGISTRATION,
};

/** The `user` of Auth0's Post User Registration hook. */
export interface RegisteredUser {
  id: string;
  tenant: string;
  username?: string;
  email?: string;
  emailVerified: boolean;
  phoneNumber?: string;
  phoneNumberVerified: boolean;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
}

/** The `context` of Auth0's Post User Registration hook (without `webtask`, which the sandbox adds). */
export interface RegistrationContext {
  requestLanguage?: string;
  connection: { id: string; name: string; tenant: string };
}

/** One registration. Plain, JSON-serialisable data: it crosses queues and sandboxes. */
export interface UserRegisteredEvent {
  /** Unique per event; the idempotency key downstream. */
  id: string;
  /** ISO-8601 time of the registration. */
  occurredAt: string;
  tenant: string;
  user: RegisteredUser;
  context: RegistrationContext;
  /**
   * Set on the test events the admin API sends (`POST <path>/tenants/:tenant/consumers/:type/:name/test`,
   * ids starting `test_`); absent on real registrations.
   */
  test?: true;
}

export interface UserRegisteredInput {
  tenant: string;
  user: Partial<RegisteredUser> & { id: string };
  context?: Partial<RegistrationContext>;
  /** Defaults to a random UUID. Pass your own to make re-emits idempotent. */
  id?: string;
  occurredAt?: Date | string;
}

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Builds a {@link UserRegisteredEvent}: fills `id` and `occurredAt`, defaults Auth0's fields,
 * and rejects an event without a valid tenant or user id.
 */
export function createUserRegisteredEvent(input: UserRegisteredInput): UserRegisteredEvent {
  if (!input || typeof input.tenant !== 'string' || !TENANT_ID_PATTERN.test(input.tenant)) {
    throw new EventInvalidError('tenant', 'a tenant id matching ' + TENANT_ID_PATTERN, input?.tenant);
  }
  if (!input.user || typeof input.user.id !== 'string' || input.user.id === '') {
    throw new EventInvalidError('user.id', 'a non-empty string', input.user?.id);
  }
  const { tenant } = input;
  const occurredAt = input.occurredAt ?? new Date();
  const connection = {
    id: 'con_hookline',
    name: 'Username-Password-Authentication',
    tenant,
    ...input.context?.connection,
  };
  return {
    // Flat: every delivery record of the event keeps its id, and its user's (see flatId).
    id: input.id ?? flatId(randomUUID()),
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    tenant,
    user: {
      emailVerified: false,
      phoneNumberVerified: false,
      user_metadata: {},
      app_metadata: {},
      ...input.user,
      id: flatId(input.user.id),
      tenant,
    },
    context: { requestLanguage: input.context?.requestLanguage, connection },
  };
}

/** Checks the shape of an event received from an emitter or a queue, where types cannot be trusted. */
export function assertUserRegisteredEvent(value: unknown): asserts value is UserRegisteredEvent {
  const event = value as Partial<UserRegisteredEvent> | null;
  if (!event || typeof event !== 'object') throw new EventInvalidError('event', 'an object', value);
  if (typeof event.id !== 'string' || event.id === '') throw new EventInvalidError('id', 'a non-empty string', event.id);
  if (typeof event.tenant !== 'string' || !TENANT_ID_PATTERN.test(event.tenant)) {
    throw new EventInvalidError('tenant', 'a tenant id matching ' + TENANT_ID_PATTERN, event.tenant);
  }
  if (!event.user || typeof event.user !== 'object') throw new EventInvalidError('user', 'an object', event.user);
}
