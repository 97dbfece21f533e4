import { Body, Delete, Get, HttpCode, Param, Patch, Put, Query } from '@nestjs/common';
import type { z } from 'zod';
import type { TenantView, TenantWriteResult } from '../tenants/hookline-tenants';
import { StoreNotConfiguredError } from '../tenants/tenant-write.error';
import { AdminApiController } from './admin-api.decorator';
import { HooklineAdminContext } from './admin-context';
import { Access, isTenantVisible, tenantsOf, type AdminAccess } from './admin-access';
import { AdminApiError, parseInput } from './api/admin-error';
import { AdminRoute } from './api/admin-route.decorator';
import {
  consumerEntrySchema,
  consumerParamsSchema,
  listTenantsQuerySchema,
  secretBodySchema,
  secretListAnswer,
  secretParamsSchema,
  tenantDefinitionSchema,
  tenantPageAnswer,
  tenantParamsSchema,
  tenantViewAnswer,
  tenantWriteAnswer,
} from './tenants.schemas';

const TAGS = ['tenants'];
/** Every tenant route may answer 404 (unknown, or outside a scoped token's tenants) and 501 (no store). */
const WRITE_ERRORS = [404, 409, 501];

/**
 * Tenants, consumers and secrets of the tenant store, written at run time. A scoped token reads and writes
 * only its own tenants (another answers 404, as an unknown one does). Secret values go in and never come
 * out. Every write is audited. Without a store every route answers 501 STORE_NOT_CONFIGURED.
 */
@AdminApiController()
export class TenantsController {
  constructor(private readonly admin: HooklineAdminContext) {}

  @Get('tenants')
  @AdminRoute({ summary: "The store's tenants by id, a page at a time", tags: TAGS, query: listTenantsQuerySchema, response: tenantPageAnswer, errors: [501] })
  async list(@Query() query: unknown, @Access() access: AdminAccess) {
    this.requireStore();
    const { cursor, limit } = parseInput(listTenantsQuerySchema, query, 'query');
    const page = await this.admin.tenants.listTenants({ cursor, limit, only: tenantsOf(access) });
    return { items: page.items, nextCursor: page.next };
  }

  @Get('tenants/:tenant')
  @AdminRoute({ summary: 'A stored tenant as written, with the names of its secrets (never their values)', tags: TAGS, params: tenantParamsSchema, response: tenantViewAnswer, errors: [404, 501] })
  async get(@Param() params: unknown, @Access() access: AdminAccess): Promise<TenantView> {
    const { tenant } = this.visible(tenantParamsSchema, params, access);
    const view = await this.admin.tenants.getTenant(tenant);
    if (!view) throw noTenant(tenant);
    return view;
  }

  @Put('tenants/:tenant')
  @AdminRoute({
    summary: 'Create or replace a tenant whole',
    description: 'The body is the tenant entry as in YAML. A refused definition answers 400 with its policy code and every issue, and changes nothing.',
    tags: TAGS,
    params: tenantParamsSchema,
    body: tenantDefinitionSchema,
    response: tenantWriteAnswer,
    errors: WRITE_ERRORS,
  })
  async put(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant } = this.visible(tenantParamsSchema, params, access);
    const result = await this.admin.tenants.upsertTenant(tenant, parseInput(tenantDefinitionSchema, body, 'body'));
    this.audit(access, 'tenant.put', tenant, tenant, { version: result.version });
    return result;
  }

  @Delete('tenants/:tenant')
  @HttpCode(204)
  @AdminRoute({ summary: 'Remove a tenant and its secrets', tags: TAGS, params: tenantParamsSchema, errors: WRITE_ERRORS })
  async remove(@Param() params: unknown, @Access() access: AdminAccess): Promise<void> {
    const { tenant } = this.visible(tenantParamsSchema, params, access);
    if (!(await this.admin.tenants.removeTenant(tenant))) throw noTenant(tenant);
    this.audit(access, 'tenant.delete', tenant, tenant);
  }

  @Put('tenants/:tenant/consumers/:type/:name')
  @AdminRoute({ summary: 'Add or replace one consumer (type: a connector type, or hook)', tags: TAGS, params: consumerParamsSchema, body: consumerEntrySchema, response: tenantWriteAnswer, errors: WRITE_ERRORS })
  async putConsumer(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant, type, name } = this.visible(consumerParamsSchema, params, access);
    const result = await this.admin.tenants.putConsumer(tenant, { type, name }, parseInput(consumerEntrySchema, body, 'body'));
    this.audit(access, 'consumer.put', tenant, `${tenant}/${type}/${name}`, { version: result.version });
    return result;
  }

  @Patch('tenants/:tenant/consumers/:type/:name')
  @AdminRoute({ summary: 'Change some fields of a consumer (null removes one; { "enabled": false } disables it)', tags: TAGS, params: consumerParamsSchema, body: consumerEntrySchema, response: tenantWriteAnswer, errors: WRITE_ERRORS })
  async patchConsumer(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant, type, name } = this.visible(consumerParamsSchema, params, access);
    const patch = parseInput(consumerEntrySchema, body, 'body');
    const result = await this.admin.tenants.patchConsumer(tenant, { type, name }, patch);
    this.audit(access, 'consumer.patch', tenant, `${tenant}/${type}/${name}`, { version: result.version, fields: Object.keys(patch) });
    return result;
  }

  @Delete('tenants/:tenant/consumers/:type/:name')
  @AdminRoute({ summary: 'Remove a consumer', tags: TAGS, params: consumerParamsSchema, response: tenantWriteAnswer, errors: WRITE_ERRORS })
  async removeConsumer(@Param() params: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant, type, name } = this.visible(consumerParamsSchema, params, access);
    const result = await this.admin.tenants.removeConsumer(tenant, { type, name });
    this.audit(access, 'consumer.delete', tenant, `${tenant}/${type}/${name}`, { version: result.version });
    return result;
  }

  @Get('tenants/:tenant/secrets')
  @AdminRoute({ summary: "The tenant's secrets by name: never a value", tags: TAGS, params: tenantParamsSchema, response: secretListAnswer, errors: [404, 501] })
  async secrets(@Param() params: unknown, @Access() access: AdminAccess) {
    const { tenant } = this.visible(tenantParamsSchema, params, access);
    return { items: await this.admin.tenants.listSecrets(tenant) };
  }

  @Put('tenants/:tenant/secrets/:name')
  @AdminRoute({
    summary: 'Set a secret (write-only)',
    description: "The tenant's consumers are validated with the new value first: a value they refuse changes nothing.",
    tags: TAGS,
    params: secretParamsSchema,
    body: secretBodySchema,
    response: tenantWriteAnswer.extend({ name: secretParamsSchema.shape.name }),
    errors: WRITE_ERRORS,
  })
  async putSecret(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult & { name: string }> {
    const { tenant, name } = this.visible(secretParamsSchema, params, access);
    const { value, overlapMs } = parseInput(secretBodySchema, body, 'body');
    const result = await this.admin.tenants.setSecret(tenant, name, value, { overlapMs });
    this.audit(access, 'secret.put', tenant, name, { overlapMs: overlapMs ?? 0 });
    return { ...result, name };
  }

  @Delete('tenants/:tenant/secrets/:name')
  @HttpCode(204)
  @AdminRoute({ summary: 'Remove a secret (its consumers then fail with SECRET_MISSING)', tags: TAGS, params: secretParamsSchema, errors: WRITE_ERRORS })
  async removeSecret(@Param() params: unknown, @Access() access: AdminAccess): Promise<void> {
    const { tenant, name } = this.visible(secretParamsSchema, params, access);
    if (!(await this.admin.tenants.deleteSecret(tenant, name))) throw new AdminApiError(404, 'NOT_FOUND', `tenant "${tenant}" has no secret ${name}`);
    this.audit(access, 'secret.delete', tenant, name);
  }

  private requireStore(): void {
    if (!this.admin.tenants.enabled) throw new StoreNotConfiguredError();
  }

  /** The store first (501 without one), then the params, then the token's scope (404 outside it). */
  private visible<S extends z.ZodType<{ tenant: string }>>(schema: S, params: unknown, access: AdminAccess): z.output<S> {
    this.requireStore();
    const parsed = parseInput(schema, params, 'params');
    if (!isTenantVisible(access, parsed.tenant)) throw noTenant(parsed.tenant);
    return parsed;
  }

  private audit(access: AdminAccess, action: string, tenant: string, target: string, extra: Record<string, unknown> = {}): void {
    this.admin.hookline.auditAdminAction(access.principal, action, { tenant, target, ...extra });
  }
}

/** The same answer for an unknown tenant and for a tenant outside the token's scope: nothing leaks. */
export function noTenant(tenant: string): AdminApiError {
  return new AdminApiError(404, 'NOT_FOUND', `no tenant "${tenant}"`);
}
