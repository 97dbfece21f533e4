import { z } from 'zod';
import { TENANT_ID_PATTERN } from '../core/events/user-registered.event';
import { SECRET_NAME } from '../tenants/secrets/secret-refs';

/**
 * The request shapes of the tenant routes, apart from the controllers so the OpenAPI document and the
 * handlers read the same schemas. A tenant definition itself is validated by HooklineTenants (the file's
 * schema plus the store's rules), which reports every problem as a path inside it.
 */
export const tenantIdSchema = z.string().regex(TENANT_ID_PATTERN, `expected a tenant id matching ${TENANT_ID_PATTERN}`);

export const listTenantsQuerySchema = z.strictObject({
  cursor: tenantIdSchema.optional().describe('The `nextCursor` of the previous page.'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('Tenants per page (default 100).'),
});

export const consumerParamsSchema = z.strictObject({
  tenant: tenantIdSchema,
  type: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'expected a connector type (webhook, slack, hubspot…) or "hook"'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a consumer name of letters, digits, "-", "_" or "." (at most 64)'),
});

export const secretParamsSchema = z.strictObject({
  tenant: tenantIdSchema,
  name: z.string().regex(SECRET_NAME, 'expected a secret name of letters, digits and "_" (at most 128)'),
});

/** A tenant entry as in the config file's `tenants.<id>`. */
export const tenantDefinitionSchema = z
  .record(z.string(), z.unknown())
  .describe('The tenant entry as in YAML: `{ hooks?, connectors?, … }`, secrets as `${secret:NAME}`.');

/** One consumer entry as in the file (its type and name come from the path). */
export const consumerEntrySchema = z.record(z.string(), z.unknown()).describe('A consumer entry as in YAML, without `type` and `name`.');

export const secretBodySchema = z.strictObject({
  value: z.string().min(1, 'expected a non-empty string').max(16_384).describe('The secret. Write-only: never returned or logged.'),
  overlapMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400_000)
    .optional()
    .describe('Keep the replaced value valid this long (a webhook signing secret signs with both meanwhile).'),
});

export const issueTokenBodySchema = z.strictObject({
  tenants: z
    .union([z.literal('*'), z.array(tenantIdSchema).min(1).max(100)])
    .describe('The tenants the token may see and write, or "*" for every tenant (an unscoped caller only).'),
  label: z.string().max(200).optional().describe('A note for people: who or what the token is for.'),
});

export const tokenIdSchema = z.string().regex(/^tok_[0-9a-f]{12}$/, 'expected a token id (tok_…)');

/** Answers, for the OpenAPI document. */
const issue = z.object({ path: z.string(), message: z.string(), code: z.string().optional() });

export const tenantWriteAnswer = z
  .object({
    id: z.string(),
    version: z.number().int().describe('The tenant\'s version after the write (0 when it does not exist yet).'),
    warnings: z.array(issue).describe('What cannot work yet: a consumer whose secret is not set (SECRET_MISSING).'),
  })
  .describe('A write that was applied.');

export const tenantViewAnswer = z.object({
  id: z.string(),
  definition: z.record(z.string(), z.unknown()).describe('The definition as written: secrets as `${secret:NAME}`, never their values.'),
  version: z.number().int(),
  updatedAt: z.string(),
  secrets: z.array(z.string()).describe('Names of the secrets set for the tenant.'),
});

export const tenantPageAnswer = z.object({
  items: z.array(z.object({ id: z.string(), version: z.number().int(), updatedAt: z.string() })),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page.'),
});

export const secretListAnswer = z.object({
  items: z.array(z.object({ name: z.string(), updatedAt: z.string(), previousUntil: z.string().nullable().describe('Until when the replaced value still signs.') })),
});

export const tokenRecordAnswer = z.object({
  id: z.string(),
  fingerprint: z.string().describe('`token:` and 12 hex digits of its SHA-256: the principal in the audit trail.'),
  tenants: z.array(z.string()).nullable().describe('null: every tenant.'),
  label: z.string().nullable(),
  createdAt: z.string(),
});

export const issuedTokenAnswer = tokenRecordAnswer.extend({ token: z.string().describe('The token. Shown this once; only its hash is stored.') });

export const tokenListAnswer = z.object({ items: z.array(tokenRecordAnswer) });

export const tenantParamsSchema = z.strictObject({ tenant: tenantIdSchema });
export const tokenParamsSchema = z.strictObject({ id: tokenIdSchema });
