import { formatPath } from './config-path';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface MissingEnv {
  name: string;
  path: PropertyKey[];
}

/**
 * Replaces every `${env:NAME}` in the string values of a parsed config.
 * Returns a new tree and the references that had no value (a missing variable becomes "").
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: PropertyKey[] = [],
  missing: MissingEnv[] = [],
): { value: unknown; missing: MissingEnv[] } {
  if (typeof value === 'string') {
    const replaced = value.replace(ENV_REF, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) missing.push({ name, path });
      return found ?? '';
    });
    return { value: replaced, missing };
  }
  if (Array.isArray(value)) {
    return { value: value.map((item, i) => interpolateEnv(item, env, [...path, i], missing).value), missing };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, [...path, key], missing).value;
    return { value: out, missing };
  }
  return { value, missing };
}

export function isUnder(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

export { formatPath };
