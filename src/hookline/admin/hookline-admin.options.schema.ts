import { z } from 'zod';
import { AdminSetupError } from './admin-setup.error';
import { ADMIN_DEFAULT_PATH, type HooklineAdminModuleOptions } from './hookline-admin.options';

const token = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });

const schema = z.strictObject({
  path: z
    .string({ error: 'a path such as "hookline" or "admin/hookline"' })
    .regex(/^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/, { error: 'a path such as "hookline" or "admin/hookline" (no parameters)' })
    .optional(),
  tokens: z
    .array(z.union([token, z.strictObject({ token, tenants: z.array(z.string().min(1)).optional() })], { error: 'a token, or { token, tenants? }' }))
    .optional(),
  guard: z.custom<HooklineAdminModuleOptions['guard']>((v) => typeof v === 'function', { error: 'a function (request) => { tenants } | null' }).optional(),
});

/** Checks the admin module's options (each error names the option) and fills in the path. */
export function normalizeAdminOptions(options: HooklineAdminModuleOptions): HooklineAdminModuleOptions & { path: string } {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = [...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? issue.keys : [])].join('.') || '(the options object)';
    // The received value is never shown: it may be a token.
    const expected = issue.code === 'unrecognized_keys' ? 'no such option' : issue.message;
    throw new AdminSetupError(`Invalid HooklineAdminModule.forRoot option ${at}: expected ${expected}.`);
  }
  return { ...options, path: (options.path ?? ADMIN_DEFAULT_PATH).replace(/^\/+|\/+$/g, '') };
}
