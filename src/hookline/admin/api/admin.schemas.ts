import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../delivery/records/delivery';

/** Schemas shared by the admin routes: they validate requests and describe answers in the OpenAPI document. */

export const tenantId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected a tenant id').describe('A tenant id.');
export const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time such as 2026-12-05T18:00:00Z' });
export const deliveryStatus = z.enum(DELIVERY_STATUSES as [string, ...string[]]);

export const deliveryRecord = z
  .object({
    id: z.string(),
    eventId: z.string(),
    tenant: z.string(),
    consumer: z.string().describe('The consumer id: `tenant/type/name`.'),
    kind: z.enum(['hook', 'connector']),
    status: deliveryStatus,
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    durationMs: z.number().nullable().describe('Duration of the last attempt.'),
    nextAttemptAt: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).optional().describe('What the destination reported on success.'),
  })
  .describe('One event for one consumer. No secret and no event payload.');

export const deliveryPage = z.object({ items: z.array(deliveryRecord), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page.') });

export const circuitView = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  consecutiveFailures: z.number().int(),
  nextProbeAt: z.string().nullable(),
  waiting: z.number().int(),
});

export const consumerItem = z.object({
  id: z.string(),
  tenant: z.string(),
  kind: z.string(),
  type: z.string(),
  name: z.string(),
  summary: z.record(z.string(), z.unknown()).describe("The connector's safe summary (host, fingerprints): never a secret."),
  enabled: z.literal(true),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  circuit: circuitView.nullable(),
});

export const runnerOutput = z
  .object({
    status: z.enum(['ok', 'error', 'timeout', 'memory_limit']),
    response: z.unknown(),
    error: z.object({ name: z.string(), message: z.string() }).nullable(),
    logs: z.array(z.object({ level: z.string(), message: z.string() })),
    durationMs: z.number(),
    warnings: z.array(z.object({ code: z.string(), message: z.string(), line: z.number().int(), column: z.number().int() })),
    requests: z
      .array(
        z.object({
          method: z.string(),
          url: z.string().describe("The hook's secrets redacted."),
          status: z.number().int().nullable().describe('Null when there was no answer.'),
          durationMs: z.number(),
          refused: z.boolean().describe("The sandbox's policy refused it (allowHosts, private address, limits)."),
          error: z.string().nullable().describe('Why it was refused or failed.'),
        }),
      )
      .describe('Every outbound request of the hook.'),
  })
  .describe('The output of `hookline run --json`.');
