import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HOOKLINE_OPTIONS } from '../hookline.module-definition';
import type { HooklineModuleOptions } from '../hookline.options';

/**
 * Closed by default: without a configured token the admin API does not exist (404).
 * With one, requests need `Authorization: Bearer <token>`, compared in constant time.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(HOOKLINE_OPTIONS) options: HooklineModuleOptions) {
    const token = options.admin?.token;
    if (token) this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new NotFoundException();
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers
      .authorization;
    const match = /^Bearer (.+)$/.exec(header ?? '');
    // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('a valid admin token is required (Authorization: Bearer <token>)');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
