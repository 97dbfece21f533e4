export { HooklineModule } from './hookline.module';
export type { HooklineModuleOptions } from './hookline.options';
export { HooklineService } from './hookline.service';
export {
  USER_REGISTERED,
  POST_USER_REGISTRATION,
  createUserRegisteredEvent,
  type UserRegisteredEvent,
  type UserRegisteredInput,
  type RegisteredUser,
  type RegistrationContext,
} from './events/user-registered.event';
export * from './connectors/sdk';
export type { DeliveryRecord, DeliveryStatus } from './dispatch/delivery';
export { MemoryDeliveryLog, type DeliveryLog, type DeliveryQuery, type DeliveryPage } from './dispatch/delivery-log';
export { HooklineError } from './errors/hookline.error';
export { ConfigInvalidError, type ConfigIssue } from './errors/config-invalid.error';
export { EventEmitterMissingError } from './errors/event-emitter-missing.error';
export { EventInvalidError } from './errors/event-invalid.error';
export { HOOKLINE_SANDBOX } from './hookline.tokens';
export { SandboxPool, type SandboxPoolOptions } from './sandbox/sandbox.pool';
export type {
  Sandbox,
  HookInvocation,
  HookInput,
  HookScript,
  HookLogEntry,
  InvocationResult,
  InvocationStatus,
} from './sandbox/sandbox.types';
