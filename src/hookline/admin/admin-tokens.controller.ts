import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { HooklineService } from '../hookline.service';
import { HooklineTenants } from '../tenants/hookline-tenants';
import type { AdminTokenRecord } from '../tenants/store/pg-tenant-store';
import { StoreNotConfiguredError } from '../tenants/tenant-write.error';
import { Access, isTenantVisible, type AdminAccess } from './admin-access';
import { AdminTokenGuard } from './admin-token.guard';
import { apiError, noTenant, parseRequest, TenantsErrorFilter } from './tenants-api.error';
import { issueTokenBodySchema, tokenIdSchema } from './tenants.schemas';

/**
 * Admin tokens issued at run time, kept in the tenant store as SHA-256 hashes: the token is shown once,
 * in the answer that issues it, and the admin guard of every instance accepts it (and stops accepting it
 * once revoked) on the next request. A scoped token issues, lists and revokes tokens within its own
 * tenants; only an unscoped token issues unscoped ones.
 */
@Controller('hookline')
@UseGuards(AdminTokenGuard)
@UseFilters(TenantsErrorFilter)
export class AdminTokensController {
  constructor(
    private readonly tenants: HooklineTenants,
    private readonly hookline: HooklineService,
  ) {}

  /** `201 { token, id, fingerprint, tenants, label, createdAt }`: the only time the token is shown. */
  @Post('tokens')
  async issue(@Body() body: unknown, @Access() access: AdminAccess): Promise<AdminTokenRecord & { token: string }> {
    this.requireStore();
    const input = parseRequest(issueTokenBodySchema, body ?? {}, 'body');
    if (input.tenants === '*' && access.tenants !== '*') {
      throw apiError(403, 'TOKEN_SCOPE', 'a token scoped to some tenants cannot issue a token for every tenant: list the tenants in "tenants"');
    }
    const tenants = input.tenants === '*' ? null : [...new Set(input.tenants)];
    const outside = tenants?.find((t) => !isTenantVisible(access, t));
    if (outside) throw noTenant(outside);
    const { token, record } = await this.tenants.issueToken(tenants, input.label);
    this.hookline.auditAdminAction(access.principal, 'token.issue', { target: record.id, fingerprint: record.fingerprint, tenants: record.tenants ?? '*' });
    return { ...record, token };
  }

  /** Live issued tokens the caller could have issued: `{ items: [{ id, fingerprint, tenants, label, createdAt }] }`. */
  @Get('tokens')
  async list(@Access() access: AdminAccess): Promise<{ items: AdminTokenRecord[] }> {
    this.requireStore();
    return { items: (await this.tenants.listTokens()).filter((t) => within(access, t)) };
  }

  /** Revokes a token at once, on every instance: 204; 404 for an unknown one or one outside the caller's tenants. */
  @Delete('tokens/:id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @Access() access: AdminAccess): Promise<void> {
    this.requireStore();
    parseRequest(tokenIdSchema, id, 'params');
    const record = (await this.tenants.listTokens()).find((t) => t.id === id);
    if (!record || !within(access, record) || !(await this.tenants.revokeToken(id))) throw apiError(404, 'NOT_FOUND', `no token ${id}`);
    this.hookline.auditAdminAction(access.principal, 'token.revoke', { target: id, fingerprint: record.fingerprint });
  }

  private requireStore(): void {
    if (!this.tenants.enabled) throw new StoreNotConfiguredError();
  }
}

/** An unscoped caller sees every token; a scoped one those limited to its own tenants. */
function within(access: AdminAccess, token: AdminTokenRecord): boolean {
  if (access.tenants === '*') return true;
  return token.tenants !== null && token.tenants.every((t) => isTenantVisible(access, t));
}
