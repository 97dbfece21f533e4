export { HooklineModule } from './hookline.module';
export type { HooklineModuleOptions, TransportOptions } from './hookline.options';
export { HooklineService, type ReplayResult } from './hookline.service';
export type { InlineTransportOptions } from './dispatch/transports/inline.transport';
export type { BullmqTransportOptions, RetentionOptions } from './dispatch/transports/bullmq.options';
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
export { OptionsInvalidError } from './errors/options-invalid.error';
export { TransportUnavailableError } from './errors/transport-unavailable.error';
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
