import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { HooklineHealthModule } from 'hookline/health';
import { HealthController } from './health/health.controller';
import { adminFromEnv, storeFromEnv, transportFromEnv } from './app-env';
import { HooklineAdminModule, HooklineModule } from 'hookline';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';
import { MetricsModule } from './telemetry/metrics.module';
import { metricsFromEnv, prometheusExporter } from './telemetry/prometheus';

function adminModules() {
  const admin = adminFromEnv();
  return admin ? [HooklineAdminModule.forRoot(admin)] : [];
}

/** `GET /metrics` with HOOKLINE_METRICS=prometheus. */
function metricsModules() {
  const exporter = prometheusExporter();
  return exporter ? [MetricsModule.forRoot(exporter)] : [];
}

/** The example host app: user registration, with Hookline delivering `user.registered`. */
@Module({
  imports: [
    EventEmitterModule.forRoot(),
    // A factory, so that a bad environment fails in NestFactory.create (reported cleanly), not at import.
    HooklineModule.forRootAsync({
      useFactory: () => ({
        config: process.env.HOOKLINE_CONFIG ?? 'examples/hookline.yaml',
        transport: transportFromEnv(),
        // HOOKLINE_STORE_URL (with HOOKLINE_SECRETS_KEY): tenants written at run time through the admin API.
        store: storeFromEnv(),
        // HOOKLINE_METRICS=prometheus: Hookline's metrics on the MeterProvider that GET /metrics exports.
        metrics: metricsFromEnv(),
      }),
    }),
    // The admin API and the console under /hookline (HOOKLINE_ADMIN_TOKEN, HOOKLINE_ADMIN_PATH).
    ...adminModules(),
    // GET /health (HealthController): terminus' check with Hookline's indicator.
    TerminusModule,
    HooklineHealthModule,
    ...metricsModules(),
  ],
  controllers: [UsersController, HealthController],
  providers: [UsersService],
})
export class AppModule {}
