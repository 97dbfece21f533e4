import { Logger } from '@nestjs/common';
import { OptionsInvalidError } from './core/errors/options-invalid.error';
import type { HooklineModuleOptions } from './hookline.options';
import { validateModuleOptions } from './hookline.options.schema';

describe('validateModuleOptions', () => {
  const check = (options: object) => () => validateModuleOptions(options as HooklineModuleOptions);

  it('returns the options unchanged (instances included) when they are valid', () => {
    const logger = new Logger('x');
    const options = { config: 'hookline.yaml', concurrency: 4, logger, transport: { type: 'inline' as const, keepDead: 0 } };
    expect(validateModuleOptions(options)).toBe(options);
    expect(validateModuleOptions({ config: { tenants: {} }, logger: false, sandbox: { workers: 2 } })).toBeTruthy();
    // The documented sandbox.ca (extra CA certificates for hooks' HTTPS requests) and a host's hook storage.
    expect(validateModuleOptions({ config: 'c.yaml', sandbox: { ca: 'certs/corp-ca.pem' } })).toBeTruthy();
    expect(validateModuleOptions({ config: 'c.yaml', health: { failOnTransportDown: true } })).toBeTruthy();
    expect(validateModuleOptions({ config: 'c.yaml', metrics: { tenantLabel: true, meterProvider: { getMeter: () => ({}) } as never } })).toBeTruthy();
    expect(validateModuleOptions({ config: 'c.yaml', hookStorage: { read: async () => undefined, write: async () => ({ written: true, version: '1' }) } } as object as HooklineModuleOptions)).toBeTruthy();
  });

  it.each([
    [{}, 'config: expected a path to a config file, or an inline config object, received nothing'],
    [{ config: 'c.yaml', concurrency: 0 }, 'concurrency: expected an integer >= 1, received number 0'],
    [{ config: 'c.yaml', defaultTimeoutMs: 1.5 }, 'defaultTimeoutMs: expected an integer >= 1, received number 1.5'],
    [{ config: 'c.yaml', retry: { maxAttempts: 0 } }, 'retry.maxAttempts: expected an integer >= 1'],
    [{ config: 'c.yaml', transport: { type: 'kafka' } }, 'transport.type: expected "inline" or "bullmq", received "kafka"'],
    [{ config: 'c.yaml', transport: { type: 'inline', keepDead: -1 } }, 'transport.keepDead: expected an integer >= 0'],
    [{ config: 'c.yaml', sandbox: { workers: 'many' } }, 'sandbox: expected a Sandbox (invoke, close) or { workers, workerMaxRssMb, cpuSlots, ca }'],
    [{ config: 'c.yaml', hookStorage: { read: 1 } }, 'hookStorage: expected a HookStorage (read, write)'],
    [{ config: 'c.yaml', connectors: [{ type: 'x' }] }, 'connectors.0: expected a connector plugin made with defineConnector()'],
    [{ config: 'c.yaml', logger: console.log }, 'logger: expected a Nest LoggerService, or false'],
    [{ config: 'c.yaml', watchConfig: 'yes' }, 'watchConfig: expected true or false, received "yes"'],
    [{ config: 'c.yaml', health: { failOnTransportDown: 'yes' } }, 'health.failOnTransportDown: expected true or false, received "yes"'],
    [{ config: 'c.yaml', health: { failOnRedisDown: true } }, 'health.failOnRedisDown: expected no option failOnRedisDown'],
    [{ config: 'c.yaml', health: true }, 'health: expected { failOnTransportDown?: boolean }'],
    [{ config: 'c.yaml', metrics: { tenantLabel: 'yes' } }, 'metrics.tenantLabel: expected true or false, received "yes"'],
    [{ config: 'c.yaml', metrics: { meterProvider: {} } }, 'metrics.meterProvider: expected an OpenTelemetry MeterProvider (getMeter)'],
    [{ config: 'c.yaml', metrics: { tenantLabels: true } }, 'metrics.tenantLabels: expected no option tenantLabels'],
  ])('rejects %j, naming the option', (options, message) => {
    expect(check(options)).toThrow(OptionsInvalidError);
    expect(check(options)).toThrow(`Invalid HooklineModule option ${message}`);
  });
});
