import { Api, ApiError } from './api';
import type { Access, Consumer, Page } from './api.types';

/** What the page knows about the signed-in token: who, and the tenants it may see (listed). */
export interface Session {
  api: Api;
  access: Access;
  /** The tenants to offer in pickers: the token's own, or every tenant with a consumer for `'*'`. */
  tenants: string[];
}

const ALL: Access = { principal: 'admin', tenants: '*' };

/** Checks the token against the API (401 → refused) and learns its tenants. */
export async function openSession(api: Api): Promise<Session> {
  const access = await api.get<Access>('/access').catch((error: unknown) => {
    // TODO(admin access route): until GET /access exists, any token the API accepts sees all tenants.
    if (error instanceof ApiError && error.kind === 'not-found') return api.get<unknown>('/consumers').then(() => ALL);
    throw error;
  });
  const tenants =
    access.tenants !== '*' ? [...access.tenants].sort() : access.knownTenants ? [...access.knownTenants].sort() : await tenantsOfConsumers(api);
  return { api, access, tenants };
}

export async function listConsumers(api: Api, tenant?: string): Promise<Consumer[]> {
  const items: Consumer[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<Consumer> | { items: Consumer[]; nextCursor?: string | null }>('/consumers', { tenant, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < 5000);
  return items;
}

async function tenantsOfConsumers(api: Api): Promise<string[]> {
  try {
    return [...new Set((await listConsumers(api)).map((c) => c.tenant))].sort();
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'not-found') return [];
    throw error;
  }
}
