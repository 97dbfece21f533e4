/** Auth0 module compatibility for the hook sandbox: see README.md beside this file. */
export { getCompatRuntime, compatRuntimeFile } from './compat-runtime';
export type { CompatRuntime } from './compat-bundler';
export { COMPAT_MODULES, type SupportedModule } from './compat-modules';
export { normalizeHookSource, type NormalizedHookSource, type HookSourceForm } from './hook-source';
export { listRequires, checkRequires, requiredModuleIds, type RequireRef, type RequireProblem } from './require-check';
export { buildWebtaskContext, type WebtaskContext, type WebtaskContextInput } from './webtask-context';
export { HookSourceSyntaxError, CompatBundlesMissingError } from './compat.errors';
