import { z } from 'zod';
import { TENANT_ID_PATTERN } from '../core/events/user-registered.event';

const intMs = (max: number) => z.number().int().min(0).max(max);

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100).optional(),
  initialDelayMs: intMs(24 * 3600_000).optional(),
  maxDelayMs: intMs(24 * 3600_000).optional(),
});

/** Per-destination and per-tenant limits of the request slots (see docs/isolation.md). */
const deliverySettingsSchema = z.strictObject({
  maxInFlightPerDestination: z.number().int().min(1).max(1_000).optional(),
  tenantMaxSlots: z.number().int().min(1).max(100_000).optional(),
  maxWaitingPerDestination: z.number().int().min(1).max(10_000_000).optional(),
});

/** When a destination's circuit opens, how it is probed, and when its waiting deliveries give up. */
const circuitSchema = z
  .strictObject({
    failureThreshold: z.number().int().min(1).max(10_000).optional(),
    cooldownMs: z.number().int().min(100).max(24 * 3600_000).optional(),
    maxCooldownMs: z.number().int().min(100).max(24 * 3600_000).optional(),
    deadAfterMs: z.number().int().min(1_000).max(90 * 24 * 3600_000).optional(),
  })
  .refine((c) => c.cooldownMs === undefined || c.maxCooldownMs === undefined || c.cooldownMs <= c.maxCooldownMs, {
    path: ['maxCooldownMs'],
    message: 'expected maxCooldownMs >= cooldownMs',
  });

/** A tenant's share of the hook sandbox (see docs/isolation.md, "Fair share in the sandbox"). */
export const sandboxSettingsSchema = z.strictObject({
  /** CPU its hooks may use per sliding window before its hooks go after other tenants' waiting ones. */
  cpuBudget: z
    .strictObject({
      cpuMs: z.number('expected milliseconds of CPU').int().min(1).max(3_600_000).optional(),
      windowMs: z.number('expected the window in milliseconds').int().min(100).max(3_600_000).optional(),
    })
    .optional(),
});

/** Fields every hook and connector entry may have; the rest belongs to the plugin's schema. */
export const commonEntrySchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a name of letters, digits, "-", "_" or "." (at most 64)')
    .optional(),
  enabled: z.boolean().default(true),
  retry: retrySchema.optional(),
  timeoutMs: z.number().int().min(1).max(300_000).optional(),
  /** Requests in flight to this consumer's destination at most (the lowest applies when consumers share one). */
  maxInFlight: z.number().int().min(1).max(1_000).optional(),
  circuit: circuitSchema.optional(),
});

export const COMMON_ENTRY_KEYS = ['name', 'enabled', 'retry', 'timeoutMs', 'maxInFlight', 'circuit'] as const;

const tenantSchema = z.strictObject({
  retry: retrySchema.optional(),
  /** Slots this tenant takes in a row when its turn comes (weighted round-robin). */
  weight: z.number().int().min(1).max(100).optional(),
  delivery: deliverySettingsSchema.optional(),
  circuit: circuitSchema.optional(),
  sandbox: sandboxSettingsSchema.optional(),
  timeoutMs: z.number().int().min(1).max(300_000).optional(),
  hooks: z.array(z.record(z.string(), z.unknown()), 'expected a list of hook entries').default([]),
  connectors: z.array(z.record(z.string(), z.unknown()), 'expected a list of connector entries').default([]),
});

/** Settings of the hook sandbox that belong to the config file (paths in it are relative to the file). */
const sandboxSectionSchema = z.strictObject({
  /** Extra CA certificates hooks' HTTPS requests trust: PEM text, or the path of a PEM file. */
  ca: z.string('expected PEM text or the path of a PEM file, relative to the config file').min(1).optional(),
  /** Where hooks' npm dependencies resolve from when their script has no folder of its own (runtime tenants). */
  resolveFrom: z.string().min(1).optional(),
  /** A require() of an installed package a hook did not declare in `dependencies` is an error, not a warning. */
  strictDependencies: z.boolean().optional(),
});

/** `admin.tokens`: bearer tokens of the admin API, each optionally scoped to tenants. */
const adminSectionSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        token: z.string().min(1, 'expected a non-empty token (use ${env:NAME})'),
        tenants: z.array(z.string().regex(TENANT_ID_PATTERN, `expected a tenant id matching ${TENANT_ID_PATTERN}`)).min(1).optional(),
      }),
      'expected a list of { token, tenants? }',
    )
    .default([]),
});

export const configFileSchema = z.strictObject({
  admin: adminSectionSchema.optional(),
  sandbox: sandboxSectionSchema.optional(),
  defaults: z
    .strictObject({
      retry: retrySchema.optional(),
      timeoutMs: z.number().int().min(1).max(300_000).optional(),
      delivery: deliverySettingsSchema.optional(),
      circuit: circuitSchema.optional(),
      sandbox: sandboxSettingsSchema.optional(),
    })
    .optional(),
  tenants: z.record(
    z.string().regex(TENANT_ID_PATTERN, `expected a tenant id matching ${TENANT_ID_PATTERN}`),
    tenantSchema.nullable().transform((t) => t ?? tenantSchema.parse({})),
  ),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
