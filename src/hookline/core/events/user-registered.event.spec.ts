import { EventInvalidError } from '../errors/event-invalid.error';
import { assertUserRegisteredEvent, createUserRegisteredEvent } from './user-registered.event';

describe('createUserRegisteredEvent', () => {
  it("fills id, occurredAt and Auth0's defaults", () => {
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'a@example.com' } });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
    expect(event.user).toEqual({
      id: 'u1',
      tenant: 'acme',
      email: 'a@example.com',
      emailVerified: false,
      phoneNumberVerified: false,
      user_metadata: {},
      app_metadata: {},
    });
    expect(event.context.connection).toEqual({ id: 'con_hookline', name: 'Username-Password-Authentication', tenant: 'acme' });
    expect(createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1' } }).id).not.toBe(event.id);
  });

  it('rejects an event without a valid tenant or user id, naming the field', () => {
    expect(() => createUserRegisteredEvent({ tenant: '', user: { id: 'u' } })).toThrow(EventInvalidError);
    expect(() => createUserRegisteredEvent({ user: { id: 'u' } } as never)).toThrow(/"tenant" must be a tenant id/);
    expect(() => createUserRegisteredEvent({ tenant: 'acme', user: {} } as never)).toThrow(/"user.id" must be a non-empty string, received nothing/);
  });

  it('checks events arriving from outside', () => {
    expect(() => assertUserRegisteredEvent({ id: 'x', tenant: 'acme' })).toThrow(/"user" must be an object/);
    expect(() => assertUserRegisteredEvent(createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u' } }))).not.toThrow();
  });
});
