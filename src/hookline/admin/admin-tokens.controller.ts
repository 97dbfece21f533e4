import { Body, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { AdminTokenRecord } from '../tenants/store/pg-tenant-store';
import { StoreNotConfiguredError } from '../tenants/tenant-write.error';
import { AdminApiController } from './admin-api.decorator';
import { HooklineAdminContext } from './admin-context';
import { Access, isTenantVisible, type AdminAccess } from './admin-access';
import { AdminApiError, parseInput } from './api/admin-error';
import { AdminRoute } from './api/admin-route.decorator';
import { issuedTokenAnswer, issueTokenBodySchema, tokenListAnswer, tokenParamsSchema } from './tenants.schemas';
import { noTenant } from './tenants.controller';

const TAGS = ['tokens'];

/**
 * Admin tokens issued at run time, kept in the tenant store as SHA-256 hashes: the token is shown once,
 * in the answer that issues it, and the admin guard of every instance accepts it (and stops accepting it
 * once revoked) on the next request. A scoped token issues, lists and revokes tokens within its own
 * tenants; only an unscoped token issues unscoped ones.
 */
@AdminApiController()
export class AdminTokensController {
  constructor(private readonly admin: HooklineAdminContext) {}

  @Post('tokens')
  @AdminRoute({
    summary: 'Issue an admin token (shown once, stored hashed)',
    tags: TAGS,
    body: issueTokenBodySchema,
    response: issuedTokenAnswer,
    errors: [403, 404, 501],
  })
  async issue(@Body() body: unknown, @Access() access: AdminAccess): Promise<AdminTokenRecord & { token: string }> {
    this.requireStore();
    const input = parseInput(issueTokenBodySchema, body, 'body');
    if (input.tenants === '*' && access.tenants !== '*') {
      throw new AdminApiError(403, 'TOKEN_SCOPE', 'a token scoped to some tenants cannot issue a token for every tenant: list the tenants in "tenants"');
    }
    const tenants = input.tenants === '*' ? null : [...new Set(input.tenants)];
    const outside = tenants?.find((t) => !isTenantVisible(access, t));
    if (outside) throw noTenant(outside);
    const { token, record } = await this.admin.tenants.issueToken(tenants, input.label);
    this.admin.hookline.auditAdminAction(access.principal, 'token.issue', { target: record.id, fingerprint: record.fingerprint, tenants: record.tenants ?? '*' });
    return { ...record, token };
  }

  @Get('tokens')
  @AdminRoute({ summary: 'Live issued tokens within the caller\'s tenants: fingerprints, never tokens', tags: TAGS, response: tokenListAnswer, errors: [501] })
  async list(@Access() access: AdminAccess): Promise<{ items: AdminTokenRecord[] }> {
    this.requireStore();
    return { items: (await this.admin.tenants.listTokens()).filter((t) => within(access, t)) };
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @AdminRoute({ summary: 'Revoke an issued token, at once on every instance', tags: TAGS, params: tokenParamsSchema, errors: [404, 501] })
  async revoke(@Param() params: unknown, @Access() access: AdminAccess): Promise<void> {
    this.requireStore();
    const { id } = parseInput(tokenParamsSchema, params, 'params');
    const record = (await this.admin.tenants.listTokens()).find((t) => t.id === id);
    if (!record || !within(access, record) || !(await this.admin.tenants.revokeToken(id))) throw new AdminApiError(404, 'NOT_FOUND', `no token ${id}`);
    this.admin.hookline.auditAdminAction(access.principal, 'token.revoke', { target: id, fingerprint: record.fingerprint });
  }

  private requireStore(): void {
    if (!this.admin.tenants.enabled) throw new StoreNotConfiguredError();
  }
}

/** An unscoped caller sees every token; a scoped one those limited to its own tenants. */
function within(access: AdminAccess, token: AdminTokenRecord): boolean {
  if (access.tenants === '*') return true;
  return token.tenants !== null && token.tenants.every((t) => isTenantVisible(access, t));
}
