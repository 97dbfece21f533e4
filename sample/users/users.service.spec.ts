import { ConflictException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MAX_USERS_PER_TENANT, UsersService } from './users.service';

describe('UsersService', () => {
  it('refuses an email already registered in the tenant, and accepts it in another tenant', () => {
    const users = new UsersService(new EventEmitter2());
    users.register('acme', { email: 'ada@example.com' });
    expect(() => users.register('acme', { email: 'ADA@example.com' })).toThrow(ConflictException);
    expect(users.register('globex', { email: 'ada@example.com' }).tenant).toBe('globex');
  });

  it(`keeps the newest ${MAX_USERS_PER_TENANT} users of a tenant: the oldest is forgotten first`, () => {
    const users = new UsersService(new EventEmitter2());
    for (let i = 0; i <= MAX_USERS_PER_TENANT; i++) users.register('acme', { email: `u${i}@example.com` });
    expect(users.register('acme', { email: 'u0@example.com' }).email).toBe('u0@example.com');
    expect(() => users.register('acme', { email: `u${MAX_USERS_PER_TENANT}@example.com` })).toThrow(ConflictException);
  });
});
