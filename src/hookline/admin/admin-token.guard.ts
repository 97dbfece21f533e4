import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HOOKLINE_OPTIONS } from '../hookline.module-definition';
import type { HooklineModuleOptions } from '../hookline.options';
import { ConfigRegistry } from '../config/config.registry';
import { HooklineTenants } from '../tenants/hookline-tenants';
import { ADMIN_ACCESS_KEY, type AdminAccess } from './admin-access';

/**
 * Closed by default: without a configured token the admin API does not exist (404).
 * With one, requests need `Authorization: Bearer <token>`, compared in constant time. `admin.token`
 * sees every tenant; each of `admin.tokens` the tenants it lists (all when it lists none). With the
 * tenant store, tokens issued at run time (`POST tokens`) are looked up there, by hash, on every request,
 * so one issued or revoked on any instance counts at once on all of them.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly tokens: Array<{ digest: Buffer; access: AdminAccess }>;
  private fileTokens: Array<{ digest: Buffer; access: AdminAccess }> = [];
  private fileTokensOf?: readonly unknown[];

  constructor(
    @Inject(HOOKLINE_OPTIONS) options: HooklineModuleOptions,
    private readonly config: ConfigRegistry,
    private readonly tenants: HooklineTenants,
  ) {
    const entries = [...(options.admin?.token ? [{ token: options.admin.token }] : []), ...(options.admin?.tokens ?? [])];
    this.tokens = toEntries(entries as Array<{ token: string; tenants?: string[] }>);
  }

  /** The module's tokens and the config file's `admin.tokens`, as of the last good config (reloads included). */
  private allTokens(): Array<{ digest: Buffer; access: AdminAccess }> {
    const fromFile = this.config.config.adminTokens ?? [];
    if (fromFile !== this.fileTokensOf) {
      this.fileTokensOf = fromFile;
      this.fileTokens = toEntries(fromFile);
    }
    return [...this.tokens, ...this.fileTokens];
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const tokens = this.allTokens();
    if (tokens.length === 0 && !this.tenants.enabled) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; [key: symbol]: unknown }>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length; every token is compared.
    const given = match ? digest(match[1]) : undefined;
    let found: AdminAccess | undefined;
    for (const token of tokens) if (given && timingSafeEqual(given, token.digest) && !found) found = token.access;
    if (!found && match) found = await this.issuedToken(match[1]);
    if (!found) throw new UnauthorizedException('a valid admin token is required (Authorization: Bearer <token>)');
    request[ADMIN_ACCESS_KEY] = found;
    return true;
  }

  /** A token issued at run time and not revoked (the store compares hashes in an index lookup). */
  private async issuedToken(token: string): Promise<AdminAccess | undefined> {
    const record = await this.tenants.verifyToken(token);
    return record ? { tenants: record.tenants ?? '*', principal: record.fingerprint } : undefined;
  }
}

function toEntries(entries: readonly { token: string; tenants?: readonly string[] }[]): Array<{ digest: Buffer; access: AdminAccess }> {
  return entries
    .filter((e) => e.token)
    .map(({ token, tenants }) => {
      const hash = digest(token);
      return { digest: hash, access: { tenants: tenants ? [...tenants] : '*', principal: 'token:' + hash.toString('hex').slice(0, 12) } };
    });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
