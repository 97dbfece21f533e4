/** Injection tokens. Symbols, so they never collide with the host's. */
export const HOOKLINE_LOGGER = Symbol('HOOKLINE_LOGGER');
export const HOOKLINE_DELIVERY_LOG = Symbol('HOOKLINE_DELIVERY_LOG');
export const HOOKLINE_TRANSPORT = Symbol('HOOKLINE_TRANSPORT');
export const HOOKLINE_CONNECTORS = Symbol('HOOKLINE_CONNECTORS');
export const HOOKLINE_SHUTDOWN = Symbol('HOOKLINE_SHUTDOWN');
/** The bullmq transport's Redis connections (queue, shared client, options), or null with inline. */
export const HOOKLINE_BULLMQ = Symbol('HOOKLINE_BULLMQ');
export const HOOKLINE_RATE_LIMITER = Symbol('HOOKLINE_RATE_LIMITER');
export const HOOKLINE_SANDBOX = Symbol('HOOKLINE_SANDBOX');
/** Hookline's metrics and spans (HooklineTelemetry), on the host's OpenTelemetry providers. */
export const HOOKLINE_TELEMETRY = Symbol('HOOKLINE_TELEMETRY');
/** The tenant store's parts (store, cached source, policy), or null without `store`. */
export const HOOKLINE_TENANT_STORE = Symbol('HOOKLINE_TENANT_STORE');
