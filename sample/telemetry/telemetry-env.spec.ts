import { EnvInvalidError } from '../app-env';
import { metricsFromEnv, prometheusExporter } from './prometheus';
import { startTracingFromEnv } from './tracing';

describe('HOOKLINE_METRICS', () => {
  it('is off when unset: no metrics option, no /metrics route', () => {
    expect(metricsFromEnv({})).toBeUndefined();
    expect(prometheusExporter({})).toBeUndefined();
  });

  it('names the variable and the value it takes when set to anything else', () => {
    expect(() => metricsFromEnv({ HOOKLINE_METRICS: 'on' })).toThrow(EnvInvalidError);
    expect(() => metricsFromEnv({ HOOKLINE_METRICS: 'on' })).toThrow('HOOKLINE_METRICS must be "prometheus" (or unset), received "on".');
    expect(prometheusExporter({ HOOKLINE_METRICS: 'on' })).toBeUndefined();
  });
});

describe('HOOKLINE_TRACES', () => {
  it('is off when unset, and names the variable and the value it takes when set to anything else', () => {
    expect(() => startTracingFromEnv({})).not.toThrow();
    expect(() => startTracingFromEnv({ HOOKLINE_TRACES: 'otlp' })).toThrow('HOOKLINE_TRACES must be "console" (or unset), received "otlp".');
  });
});
