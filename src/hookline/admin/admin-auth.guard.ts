import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ADMIN_ACCESS_KEY, type AdminAccess } from './admin-access';
import { HooklineAdminContext } from './admin-context';
import type { AdminRequest } from './hookline-admin.options';

interface TokenEntry {
  digest: Buffer;
  access: AdminAccess;
}

/**
 * Lets a request in with `Authorization: Bearer <token>` (the module's tokens and the config file's
 * `admin.tokens`, compared in constant time; then, with the tenant store, the tokens issued at run time),
 * else with what the host's `guard` grants; else 401.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly tokens: TokenEntry[];
  private fileTokens: TokenEntry[] = [];
  private fileTokensOf?: readonly unknown[];

  constructor(private readonly admin: HooklineAdminContext) {
    const given = admin.options.tokens ?? [];
    this.tokens = toEntries(given.map((t) => (typeof t === 'string' ? { token: t } : t)));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest & Record<symbol, unknown>>();
    const found = this.byToken(request.headers.authorization) ?? (await this.byIssuedToken(request.headers.authorization)) ?? (await this.byGuard(request));
    if (!found) throw new UnauthorizedException('a valid admin token is required (Authorization: Bearer <token>)');
    request[ADMIN_ACCESS_KEY] = found;
    return true;
  }

  private byToken(header: string | string[] | undefined): AdminAccess | undefined {
    const match = /^Bearer (.+)$/.exec(typeof header === 'string' ? header : '');
    if (!match) return undefined;
    // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length; every token is compared.
    const given = digest(match[1]);
    let found: AdminAccess | undefined;
    for (const token of this.allTokens()) if (timingSafeEqual(given, token.digest) && !found) found = token.access;
    return found;
  }

  /**
   * A token issued at run time (`POST tokens`), looked up in the tenant store by its hash on every request,
   * so one issued or revoked on any instance counts at once on all of them. Only with a store.
   */
  private async byIssuedToken(header: string | string[] | undefined): Promise<AdminAccess | undefined> {
    const match = /^Bearer (.+)$/.exec(typeof header === 'string' ? header : '');
    if (!match || !this.admin.tenants.enabled) return undefined;
    const record = await this.admin.tenants.verifyToken(match[1]);
    return record ? { tenants: record.tenants ?? '*', principal: record.fingerprint } : undefined;
  }

  private async byGuard(request: AdminRequest): Promise<AdminAccess | undefined> {
    const guard = this.admin.options.guard;
    const grant = guard ? await guard(request) : null;
    if (!grant) return undefined;
    return { tenants: grant.tenants === '*' ? '*' : [...grant.tenants], principal: grant.principal ?? 'guard' };
  }

  /** The module's tokens and the config file's `admin.tokens`, as of the last good config (reloads included). */
  private allTokens(): TokenEntry[] {
    const fromFile = this.admin.config.config.adminTokens ?? [];
    if (fromFile !== this.fileTokensOf) {
      this.fileTokensOf = fromFile;
      this.fileTokens = toEntries(fromFile);
    }
    return [...this.tokens, ...this.fileTokens];
  }
}

function toEntries(entries: readonly { token: string; tenants?: readonly string[] }[]): TokenEntry[] {
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
