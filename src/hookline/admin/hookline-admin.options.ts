/** What a host guard grants a request: every tenant or some, and who it is (for the audit trail). */
export interface AdminGrant {
  tenants: '*' | readonly string[];
  /** Names the caller in audit lines and `hookline.admin.action` events. @default 'guard' */
  principal?: string;
}

/** The request as the host's HTTP adapter gives it (Express or Fastify). */
export type AdminRequest = { headers: Record<string, string | string[] | undefined>; [key: string]: unknown };

/** An admin token: all tenants, or the ones it lists. */
export type AdminTokenOption = string | { token: string; tenants?: string[] };

export interface HooklineAdminModuleOptions {
  /**
   * Where the admin API and the console are served: `/<path>/deliveries`, `/<path>/console`, … A global
   * prefix and a `RouterModule` path apply before it, as for any controller.
   * @default 'hookline'
   */
  path?: string;
  /**
   * Bearer tokens (compared in constant time), each unscoped or limited to some tenants. They add to the
   * config file's `admin.tokens`.
   * @default []
   */
  tokens?: readonly AdminTokenOption[];
  /**
   * The host's own auth, tried when no token matches: `{ tenants }` grants access, `null` refuses it
   * (401). It sees the request (your session, your JWT), never a Hookline token.
   * @default undefined
   */
  guard?: (request: AdminRequest) => AdminGrant | null | Promise<AdminGrant | null>;
}

export const ADMIN_DEFAULT_PATH = 'hookline';
