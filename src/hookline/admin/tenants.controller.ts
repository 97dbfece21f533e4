import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query, UseFilters, UseGuards } from '@nestjs/common';
import { HooklineService } from '../hookline.service';
import { HooklineTenants, type TenantView, type TenantWriteResult } from '../tenants/hookline-tenants';
import { StoreNotConfiguredError } from '../tenants/tenant-write.error';
import { Access, isTenantVisible, tenantsOf, type AdminAccess } from './admin-access';
import { AdminTokenGuard } from './admin-token.guard';
import { apiError, noTenant, parseRequest, TenantsErrorFilter } from './tenants-api.error';
import {
  consumerEntrySchema,
  consumerParamsSchema,
  listTenantsQuerySchema,
  secretBodySchema,
  secretParamsSchema,
  tenantDefinitionSchema,
  tenantIdSchema,
} from './tenants.schemas';

type SecretListItem = { name: string; updatedAt: string; previousUntil: string | null };

/**
 * Tenants, consumers and secrets of the tenant store, written at run time. A scoped token reads and writes
 * only its own tenants (another answers 404, as an unknown one does). Secret values go in and never come
 * out. Every write is audited. Without a store every route answers 501 STORE_NOT_CONFIGURED.
 */
@Controller('hookline')
@UseGuards(AdminTokenGuard)
@UseFilters(TenantsErrorFilter)
export class TenantsController {
  constructor(
    private readonly tenants: HooklineTenants,
    private readonly hookline: HooklineService,
  ) {}

  /** The store's tenants by id, a page at a time: `{ items: [{ id, version, updatedAt }], nextCursor }`. */
  @Get('tenants')
  async list(@Query() query: unknown, @Access() access: AdminAccess) {
    this.requireStore();
    const { cursor, limit } = parseRequest(listTenantsQuerySchema, query ?? {}, 'query');
    const page = await this.tenants.listTenants({ cursor, limit, only: tenantsOf(access) });
    return { items: page.items, nextCursor: page.next };
  }

  /** A stored tenant as written, with the names of its secrets (never their values). */
  @Get('tenants/:tenant')
  async get(@Param('tenant') tenant: string, @Access() access: AdminAccess): Promise<TenantView> {
    this.visible(access, tenant);
    const view = await this.tenants.getTenant(tenant);
    if (!view) throw noTenant(tenant);
    return view;
  }

  /** Creates or replaces a tenant whole. 400 with every issue, 409 TENANT_DEFINED_IN_FILE. */
  @Put('tenants/:tenant')
  async put(@Param('tenant') tenant: string, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    this.visible(access, tenant);
    const definition = parseRequest(tenantDefinitionSchema, body, 'body');
    const result = await this.tenants.upsertTenant(tenant, definition);
    this.audit(access, 'tenant.put', tenant, tenant, { version: result.version });
    return result;
  }

  @Delete('tenants/:tenant')
  @HttpCode(204)
  async remove(@Param('tenant') tenant: string, @Access() access: AdminAccess): Promise<void> {
    this.visible(access, tenant);
    if (!(await this.tenants.removeTenant(tenant))) throw noTenant(tenant);
    this.audit(access, 'tenant.delete', tenant, tenant);
  }

  /** Adds or replaces one consumer (`type` is a connector type, or `hook`). */
  @Put('tenants/:tenant/consumers/:type/:name')
  async putConsumer(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant, type, name } = this.consumerParams(params, access);
    const result = await this.tenants.putConsumer(tenant, { type, name }, parseRequest(consumerEntrySchema, body, 'body'));
    this.audit(access, 'consumer.put', tenant, `${tenant}/${type}/${name}`, { version: result.version });
    return result;
  }

  /** Changes some fields of a consumer (`null` removes one); `{ "enabled": false }` disables it. */
  @Patch('tenants/:tenant/consumers/:type/:name')
  async patchConsumer(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant, type, name } = this.consumerParams(params, access);
    const result = await this.tenants.patchConsumer(tenant, { type, name }, parseRequest(consumerEntrySchema, body, 'body'));
    this.audit(access, 'consumer.patch', tenant, `${tenant}/${type}/${name}`, { version: result.version, fields: Object.keys(body as object) });
    return result;
  }

  @Delete('tenants/:tenant/consumers/:type/:name')
  async removeConsumer(@Param() params: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult> {
    const { tenant, type, name } = this.consumerParams(params, access);
    const result = await this.tenants.removeConsumer(tenant, { type, name });
    this.audit(access, 'consumer.delete', tenant, `${tenant}/${type}/${name}`, { version: result.version });
    return result;
  }

  /** The tenant's secrets by name, with when each was set: never a value. */
  @Get('tenants/:tenant/secrets')
  async secrets(@Param('tenant') tenant: string, @Access() access: AdminAccess): Promise<{ items: SecretListItem[] }> {
    this.visible(access, tenant);
    return { items: await this.tenants.listSecrets(tenant) };
  }

  /** Sets a secret (write-only): the consumers that use it are validated with it first. */
  @Put('tenants/:tenant/secrets/:name')
  async putSecret(@Param() params: unknown, @Body() body: unknown, @Access() access: AdminAccess): Promise<TenantWriteResult & { name: string }> {
    const { tenant, name } = this.secretParams(params, access);
    const { value, overlapMs } = parseRequest(secretBodySchema, body, 'body');
    const result = await this.tenants.setSecret(tenant, name, value, { overlapMs });
    this.audit(access, 'secret.put', tenant, name, { overlapMs: overlapMs ?? 0 });
    return { ...result, name };
  }

  @Delete('tenants/:tenant/secrets/:name')
  @HttpCode(204)
  async removeSecret(@Param() params: unknown, @Access() access: AdminAccess): Promise<void> {
    const { tenant, name } = this.secretParams(params, access);
    if (!(await this.tenants.deleteSecret(tenant, name))) throw noTenantSecret(tenant, name);
    this.audit(access, 'secret.delete', tenant, name);
  }

  private requireStore(): void {
    if (!this.tenants.enabled) throw new StoreNotConfiguredError();
  }

  /** The store first (501 without one), then the tenant id, then the token's scope (404 outside it). */
  private visible(access: AdminAccess, tenant: string): void {
    this.requireStore();
    parseRequest(tenantIdSchema, tenant, 'params');
    if (!isTenantVisible(access, tenant)) throw noTenant(tenant);
  }

  private consumerParams(params: unknown, access: AdminAccess) {
    this.requireStore();
    const parsed = parseRequest(consumerParamsSchema, params, 'params');
    this.visible(access, parsed.tenant);
    return parsed;
  }

  private secretParams(params: unknown, access: AdminAccess) {
    this.requireStore();
    const parsed = parseRequest(secretParamsSchema, params, 'params');
    this.visible(access, parsed.tenant);
    return parsed;
  }

  private audit(access: AdminAccess, action: string, tenant: string, target: string, extra: Record<string, unknown> = {}): void {
    this.hookline.auditAdminAction(access.principal, action, { tenant, target, ...extra });
  }
}

function noTenantSecret(tenant: string, name: string) {
  return apiError(404, 'NOT_FOUND', `tenant "${tenant}" has no secret ${name}`);
}
