/** Most distinct secret values remembered; past it the oldest go first. */
const MAX_SECRETS = 10_000;
/** Nesting of log field values redacted; deeper values are written as `[Truncated]`. */
const MAX_DEPTH = 8;

/**
 * Replaces every known secret value in a text, as written and as JSON would escape it (a log field
 * holding a secret with a quote or a backslash is written escaped). Secrets removed from the config
 * by a reload stay known: deliveries already in flight may still carry them.
 */
export class Redactor {
  private pattern: RegExp | null = null;
  private known: string[] = [];

  constructor(secrets: readonly string[] = []) {
    this.setSecrets(secrets);
  }

  /** Replaces the known secrets. */
  setSecrets(secrets: readonly string[]): void {
    this.known = [];
    this.addSecrets(secrets);
  }

  /** Adds secrets, keeping those already known (bounded). */
  addSecrets(secrets: readonly string[]): void {
    const knownSet = new Set(this.known);
    const fresh = secrets.filter((s) => s.length >= 4 && !knownSet.has(s));
    if (fresh.length === 0 && this.known.length > 0) return;
    this.known = [...new Set([...this.known, ...fresh])].slice(-MAX_SECRETS);
    // Built on the next redact(): tenants loaded one by one (the tenant store) add secrets often.
    this.dirty = true;
  }

  redact(text: string): string {
    if (this.dirty) this.build();
    return this.pattern ? text.replace(this.pattern, '[REDACTED]') : text;
  }

  /**
   * A copy of a value with every string in it redacted, inside objects and arrays too (log fields).
   * An Error becomes its redacted message; numbers, booleans and null are kept as they are.
   */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error) return this.redact(value.message);
    if (value === null || typeof value !== 'object') return typeof value === 'bigint' || typeof value === 'symbol' ? String(value) : value;
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, depth + 1));
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (typeof item !== 'function') out[key] = this.redactValue(item, depth + 1);
    return out;
  }

  private dirty = false;

  private build(): void {
    this.dirty = false;
    const variants = new Set(this.known.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]));
    const sorted = [...variants].sort((a, b) => b.length - a.length);
    this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
