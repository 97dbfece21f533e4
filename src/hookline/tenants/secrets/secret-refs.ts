/** `${secret:NAME}`: a per-tenant secret of the store. */
const SECRET_REF = /\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g;
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A field's whole value being one reference: what secret fields must hold. */
export const WHOLE_SECRET_REF = /^\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** A secret's value: the current one, and the previous one while a rotation overlap lasts. */
export interface SecretValue {
  value: string;
  previous?: { value: string; until: Date };
}

/** Names referenced anywhere in a tree. */
export function secretRefs(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(SECRET_REF)) out.add(m[1]);
  else if (Array.isArray(value)) value.forEach((v) => secretRefs(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => secretRefs(v, out));
  return out;
}

/**
 * Replaces `${secret:NAME}` with the secret's value. A field that is exactly one reference to a secret
 * in its rotation overlap becomes `[current, previous]` where `lists` says the field takes a list
 * (the webhook's signing secret). A missing name is left to `onMissing`'s replacement.
 */
export function interpolateSecrets(
  value: unknown,
  secrets: ReadonlyMap<string, SecretValue>,
  onMissing: (name: string) => string,
  now = new Date(),
): unknown {
  if (typeof value === 'string') {
    return value.replace(SECRET_REF, (_m, name: string) => secrets.get(name)?.value ?? onMissing(name));
  }
  if (Array.isArray(value)) return value.map((v) => interpolateSecrets(v, secrets, onMissing, now));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateSecrets(v, secrets, onMissing, now)]));
  }
  return value;
}

/** Values of secrets in their overlap, for a signing field that takes a list. */
export function withPrevious(ref: unknown, secrets: ReadonlyMap<string, SecretValue>, now = new Date()): string[] | undefined {
  if (typeof ref !== 'string') return undefined;
  const name = WHOLE_SECRET_REF.exec(ref)?.[1];
  const secret = name ? secrets.get(name) : undefined;
  if (!secret?.previous || secret.previous.until <= now) return undefined;
  return [secret.value, secret.previous.value];
}
