/**
 * `hookline/health`: Hookline's health indicator for `@nestjs/terminus` (an optional peer dependency:
 * hosts without terminus never load this entry; they can read `HooklineHealth` of `hookline` instead).
 */
export { HooklineHealthModule } from './hookline-health.module';
export { HooklineHealthIndicator } from './hookline-health.indicator';
export { HealthSetupError } from './health-setup.error';
export type { HooklineHealthReport, HooklineHealthStatus } from './hookline-health';
