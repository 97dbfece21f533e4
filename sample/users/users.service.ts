import { ConflictException, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { createUserRegisteredEvent, USER_REGISTERED } from 'hookline';
import type { RegisterUserDto } from './register-user.dto';

export interface StoredUser extends RegisterUserDto {
  id: string;
  tenant: string;
  createdAt: string;
}

/**
 * The newest users a tenant's store keeps. An example app has no database: past this, the oldest user is
 * forgotten (and may register again), so that memory stays flat however many sign-ups it takes.
 */
export const MAX_USERS_PER_TENANT = 10_000;

/** The example app's user store: in memory, one email per tenant, the newest {@link MAX_USERS_PER_TENANT}. */
@Injectable()
export class UsersService {
  private readonly byTenant = new Map<string, Map<string, StoredUser>>();

  constructor(private readonly events: EventEmitter2) {}

  register(tenant: string, dto: RegisterUserDto): StoredUser {
    const users = this.byTenant.get(tenant) ?? new Map<string, StoredUser>();
    this.byTenant.set(tenant, users);
    const key = dto.email.toLowerCase();
    if (users.has(key)) throw new ConflictException(`a user with email ${dto.email} already exists in tenant ${tenant}`);
    const user: StoredUser = { ...dto, id: randomUUID(), tenant, createdAt: new Date().toISOString() };
    users.set(key, user);
    // A Map iterates in insertion order: its first key is the oldest user.
    if (users.size > MAX_USERS_PER_TENANT) users.delete(users.keys().next().value!);
    // Fire and forget: Hookline's listener runs on a later tick; nothing here waits for a consumer.
    this.events.emit(
      USER_REGISTERED,
      createUserRegisteredEvent({
        tenant,
        user: {
          id: user.id,
          email: user.email,
          username: user.username,
          phoneNumber: user.phoneNumber,
          user_metadata: user.user_metadata,
          app_metadata: user.app_metadata,
        },
      }),
    );
    return user;
  }
}
