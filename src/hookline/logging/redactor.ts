/** Replaces every known secret value in a text. Rebuilt whenever the config (and so the secrets) changes. */
export class Redactor {
  private pattern: RegExp | null = null;

  constructor(secrets: readonly string[] = []) {
    this.setSecrets(secrets);
  }

  setSecrets(secrets: readonly string[]): void {
    const distinct = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
    this.pattern = distinct.length
      ? new RegExp(distinct.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
      : null;
  }

  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, '[REDACTED]') : text;
  }
}
