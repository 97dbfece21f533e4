import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AdminApiError } from './api/admin-error';

/** What the current admin request may see: every tenant, or some; and who it is (a token fingerprint, or the host guard's principal). */
export interface AdminAccess {
  tenants: '*' | readonly string[];
  principal: string;
}

/** Where the admin guard leaves the access on the request. */
export const ADMIN_ACCESS_KEY = Symbol('hooklineAdminAccess');

export function isTenantVisible(access: AdminAccess, tenant: string): boolean {
  return access.tenants === '*' || access.tenants.includes(tenant);
}

/** 404 for a tenant outside the scope: the same answer as an unknown tenant, so nothing leaks. */
export function assertTenantVisible(access: AdminAccess, tenant: string): void {
  if (!isTenantVisible(access, tenant)) throw new AdminApiError(404, 'NOT_FOUND', `no tenant ${tenant}`);
}

/** The tenants a listing may return: `undefined` for all. */
export function tenantsOf(access: AdminAccess): string[] | undefined {
  return access.tenants === '*' ? undefined : [...access.tenants];
}

/** The access of the request, in a handler: `list(@Access() access: AdminAccess)`. */
export const Access = createParamDecorator((_data: unknown, context: ExecutionContext): AdminAccess => {
  const access = context.switchToHttp().getRequest<Record<symbol, AdminAccess | undefined>>()[ADMIN_ACCESS_KEY];
  return access ?? { tenants: [], principal: 'none' };
});
