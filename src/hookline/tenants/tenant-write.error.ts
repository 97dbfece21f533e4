import { HooklineError } from '../core/errors/hookline.error';

import type { TenantIssue } from './policy/tenant-policy';

export type { TenantIssue };

/**
 * A write to the tenant store was refused; nothing changed. `status` is the HTTP status the admin API
 * answers with: 400 (invalid, with every issue), 404 (no such tenant or consumer), 409 (defined in the file).
 */
export class TenantWriteError extends HooklineError {
  constructor(
    code: string,
    message: string,
    readonly status: 400 | 404 | 409 = 400,
    readonly issues: TenantIssue[] = [],
  ) {
    super(code, issues.length ? `${message}\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}` : message);
  }

  /** The code of the first policy issue, else VALIDATION_FAILED. */
  static invalid(tenant: string, issues: TenantIssue[]): TenantWriteError {
    const code = issues.find((i) => i.code)?.code ?? 'VALIDATION_FAILED';
    return new TenantWriteError(code, `the definition of tenant "${tenant}" is invalid; nothing was changed`, 400, issues);
  }
}

/** The module was started without `store`: there is nowhere to write tenants. */
export class StoreNotConfiguredError extends HooklineError {
  /** What the admin API answers: the routes exist, the feature is not turned on. */
  readonly status = 501;

  constructor() {
    super('STORE_NOT_CONFIGURED', 'the tenant store is not configured: pass `store: { url }` to HooklineModule.forRoot (HOOKLINE_STORE_URL in the example app)');
  }
}
