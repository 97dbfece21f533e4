import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HOOKLINE_OPTIONS } from '../hookline.module-definition';
import type { HooklineModuleOptions } from '../hookline.options';
import { ADMIN_ACCESS_KEY, type AdminAccess } from './admin-access';

/**
 * Closed by default: without a configured token the admin API does not exist (404).
 * With one, requests need `Authorization: Bearer <token>`, compared in constant time. `admin.token`
 * sees every tenant; each of `admin.tokens` the tenants it lists (all when it lists none).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly tokens: Array<{ digest: Buffer; access: AdminAccess }> = [];

  constructor(@Inject(HOOKLINE_OPTIONS) options: HooklineModuleOptions) {
    const entries = [...(options.admin?.token ? [{ token: options.admin.token }] : []), ...(options.admin?.tokens ?? [])];
    for (const { token, tenants } of entries as Array<{ token: string; tenants?: string[] }>) {
      if (!token) continue;
      const hash = digest(token);
      this.tokens.push({ digest: hash, access: { tenants: tenants ? [...tenants] : '*', principal: 'token:' + hash.toString('hex').slice(0, 12) } });
    }
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.length === 0) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; [key: symbol]: unknown }>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length; every token is compared.
    const given = match ? digest(match[1]) : undefined;
    let found: AdminAccess | undefined;
    for (const token of this.tokens) if (given && timingSafeEqual(given, token.digest) && !found) found = token.access;
    if (!found) throw new UnauthorizedException('a valid admin token is required (Authorization: Bearer <token>)');
    request[ADMIN_ACCESS_KEY] = found;
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
