import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { USER_REGISTERED, type UserRegisteredEvent } from './core/events/user-registered.event';
import { HooklineService } from './hookline.service';

/**
 * The thin listener: it only hands the event over. `async: true` makes EventEmitter2 call it on a
 * later tick, so `emit` returns before any Hookline code runs.
 */
@Injectable()
export class HooklineListener {
  constructor(private readonly hookline: HooklineService) {}

  @OnEvent(USER_REGISTERED, { async: true })
  onUserRegistered(event: UserRegisteredEvent): void {
    this.hookline.dispatchInBackground(USER_REGISTERED, event);
  }
}
