export { HooklineModule } from './hookline.module';
export { HooklineAdminModule } from './admin/hookline-admin.module';
export type { HooklineAdminModuleOptions, AdminGrant, AdminRequest, AdminTokenOption } from './admin/hookline-admin.options';
export type { AdminErrorBody, AdminErrorIssue } from './admin/api/admin-error';
export { AdminSetupError } from './admin/admin-setup.error';
export { isHooklineAdminRoute } from './admin/api/admin-route.decorator';
export { ADMIN_ACTION_EVENT, type AdminActionEvent } from './core/events/operator.events';
export type { HooklineModuleOptions, TransportOptions } from './hookline.options';
export type { MetricsOptions } from './core/telemetry/hookline-telemetry';
export { INSTRUMENTS as HOOKLINE_INSTRUMENTS, SPANS as HOOKLINE_SPANS } from './core/telemetry/telemetry.names';
export { HooklineService, type ReplayResult, type TestSendResult } from './hookline.service';
export { HooklineHealth, type HooklineHealthReport, type HooklineHealthStatus } from './health/hookline-health';
export type { InlineTransportOptions } from './delivery/transports/inline.transport';
export type { BullmqTransportOptions, RetentionOptions } from './delivery/transports/bullmq.options';
export {
  USER_REGISTERED,
  POST_USER_REGISTRATION,
  createUserRegisteredEvent,
  type UserRegisteredEvent,
  type UserRegisteredInput,
  type RegisteredUser,
  type RegistrationContext,
} from './core/events/user-registered.event';
export {
  defineConnector,
  fingerprint,
  type ConnectorPlugin,
  type ConnectorContext,
  type DeliveryInfo,
  type DeliveryOutcome,
  type RetrySettings,
} from './connectors/sdk';
export type { DeliveryRecord, DeliveryStatus } from './delivery/records/delivery';
export { MemoryDeliveryLog, type DeliveryLog, type DeliveryQuery, type DeliveryPage, type PutOptions } from './delivery/records/delivery-log';
export type { CircuitView } from './delivery/executor/destination-guard';
export type { CircuitState } from './delivery/executor/circuit-breaker';
export { OPERATOR_EVENTS, type OperatorEvent, type OperatorEventName } from './core/events/operator.events';
export { HooklineError } from './core/errors/hookline.error';
export { ConfigInvalidError, type ConfigIssue } from './core/errors/config-invalid.error';
export { EventEmitterMissingError } from './core/errors/event-emitter-missing.error';
export { CursorInvalidError } from './core/errors/cursor-invalid.error';
export { EventInvalidError } from './core/errors/event-invalid.error';
export { OptionsInvalidError } from './core/errors/options-invalid.error';
export { TransportUnavailableError } from './core/errors/transport-unavailable.error';
export { HOOKLINE_SANDBOX } from './hookline.tokens';
export { SandboxPool, type SandboxPoolOptions } from './hooks/host/sandbox.pool';
export type { HookStorage, HookStorageKey, HookStorageCondition, HookStorageWrite, StoredHookData } from './hooks/storage/hook-storage';
export { HOOK_STORAGE_LIMITS } from './hooks/storage/hook-storage';
export { MemoryHookStorage } from './hooks/storage/memory-hook-storage';
export { RedisHookStorage } from './hooks/storage/redis-hook-storage';
export type {
  Sandbox,
  HookInvocation,
  HookInput,
  HookScript,
  HookLogEntry,
  InvocationResult,
  InvocationStatus,
  SandboxStatus,
} from './hooks/host/sandbox.types';
export { HooklineTenants, type TenantView, type TenantWriteResult, type ConsumerRef, type SecretWriteOptions } from './tenants/hookline-tenants';
export type { TenantStoreOptions } from './tenants/tenant-store.options';
export { TenantWriteError, StoreNotConfiguredError, type TenantIssue } from './tenants/tenant-write.error';
export { EnvKeyProvider, SecretsKeyInvalidError, type KeyProvider, type SecretKey } from './tenants/secrets/key-provider';
export type { ConfigSource, ConfigInput, TenantSource, CompiledTenant } from './config/config-source';
export { FileConfigSource, CodeConfigSource } from './config/config-source';
