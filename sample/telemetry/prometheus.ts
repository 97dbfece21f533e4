import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { HooklineModuleOptions } from 'hookline';
import { EnvInvalidError } from '../app-env';

let sdk: { exporter: PrometheusExporter; meterProvider: MeterProvider } | undefined;

/** The app's metrics SDK, created once and registered globally (the app's own instruments export too). */
function prometheus() {
  if (!sdk) {
    // No port of its own: the app serves the exporter's text at GET /metrics.
    const exporter = new PrometheusExporter({ preventServerStart: true });
    sdk = { exporter, meterProvider: new MeterProvider({ readers: [exporter] }) };
    metrics.setGlobalMeterProvider(sdk.meterProvider);
  }
  return sdk;
}

/**
 * Hookline's `metrics` option from `HOOKLINE_METRICS`: `prometheus` turns on an OpenTelemetry metrics SDK
 * served at `GET /metrics`. Off by default: metrics name consumer types (and, with `tenantLabel`, tenants),
 * so exposing them is the operator's choice. Any other value is an error.
 */
export function metricsFromEnv(env: NodeJS.ProcessEnv = process.env): HooklineModuleOptions['metrics'] {
  const value = env.HOOKLINE_METRICS;
  if (!value) return undefined;
  if (value !== 'prometheus') throw new EnvInvalidError(`HOOKLINE_METRICS must be "prometheus" (or unset), received ${JSON.stringify(value)}.`);
  return { meterProvider: prometheus().meterProvider };
}

/** The exporter `GET /metrics` serves, with HOOKLINE_METRICS=prometheus (another value fails in metricsFromEnv). */
export function prometheusExporter(env: NodeJS.ProcessEnv = process.env): PrometheusExporter | undefined {
  return env.HOOKLINE_METRICS === 'prometheus' ? prometheus().exporter : undefined;
}
