import { z } from 'zod';
import { parseOptions } from './core/util/options';
import type { HooklineModuleOptions } from './hookline.options';

const integer = (min: number) => z.number({ error: `an integer >= ${min}` }).int({ error: `an integer >= ${min}` }).min(min, { error: `an integer >= ${min}` });
const hasMethods = (value: unknown, ...methods: string[]): boolean =>
  !!value && typeof value === 'object' && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

const transport = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('inline'), keepDead: integer(0).optional() }),
    // Its other fields are checked with the transport's own schema (bullmq.options.ts), once the concurrency is known.
    z.looseObject({ type: z.literal('bullmq') }),
  ],
  { error: '"inline" or "bullmq"' },
);

/**
 * What `forRoot`/`forRootAsync` accept. Options this schema does not list pass through (a newer option
 * checks its own value where it is used).
 */
const moduleOptionsSchema = z.looseObject({
  config: z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
    error: 'a path to a config file, or an inline config object',
  }),
  watchConfig: z.boolean({ error: 'true or false' }).optional(),
  transport: transport.optional(),
  concurrency: integer(1).optional(),
  defaultTimeoutMs: integer(1).optional(),
  retry: z
    .strictObject({ maxAttempts: integer(1).optional(), initialDelayMs: integer(0).optional(), maxDelayMs: integer(0).optional() })
    .optional(),
  drainTimeoutMs: integer(0).optional(),
  sandbox: z
    .union(
      [
        z.custom((v) => hasMethods(v, 'invoke', 'close')),
        z.strictObject({
          workers: integer(1).optional(),
          workerMaxRssMb: integer(64).optional(),
          cpuSlots: integer(1).optional(),
          ca: z.string().min(1).optional(),
        }),
      ],
      { error: 'a Sandbox (invoke, close) or { workers, workerMaxRssMb, cpuSlots, ca }' },
    )
    .optional(),
  hookStorage: z.custom((v) => hasMethods(v, 'read', 'write'), { error: 'a HookStorage (read, write)' }).optional(),
  connectors: z
    .array(
      z.custom((v) => hasMethods(v, 'deliver') && typeof (v as { type?: unknown }).type === 'string', {
        error: 'a connector plugin made with defineConnector()',
      }),
      { error: 'an array of connector plugins' },
    )
    .optional(),
  logger: z
    .union([z.literal(false), z.custom((v) => hasMethods(v, 'log', 'error', 'warn'))], {
      error: 'a Nest LoggerService, or false',
    })
    .optional(),
  health: z
    .strictObject(
      { failOnTransportDown: z.boolean({ error: 'true or false' }).optional() },
      { error: '{ failOnTransportDown?: boolean }' },
    )
    .optional(),
  deliveryLog: z
    .custom((v) => hasMethods(v, 'get', 'list'), { error: 'a DeliveryLog' })
    .optional(),
  retention: z.strictObject({ maxAgeSeconds: integer(1).optional() }, { error: 'an object { maxAgeSeconds }' }).optional(),
  metrics: z
    .strictObject(
      {
        tenantLabel: z.boolean({ error: 'true or false' }).optional(),
        meterProvider: z.custom((v) => hasMethods(v, 'getMeter'), { error: 'an OpenTelemetry MeterProvider (getMeter)' }).optional(),
      },
      { error: 'an object { tenantLabel, meterProvider }' },
    )
    .optional(),
  // The admin API is a module of its own now: say where its tokens go instead of ignoring them.
  admin: z
    .undefined({ error: 'no admin option here: mount HooklineAdminModule.forRoot({ tokens }) for the admin API (or list admin.tokens in the config file)' })
    .optional(),
});

/** Checks the options a host passed (each error names the option); returns them unchanged. */
export function validateModuleOptions(options: HooklineModuleOptions): HooklineModuleOptions {
  parseOptions(moduleOptionsSchema, options, '');
  return options;
}
