import { HooklineLogger } from './hookline.logger';
import { Redactor } from './redactor';

describe('Redactor and HooklineLogger', () => {
  it('replaces every secret, longest first, including regex metacharacters', () => {
    const r = new Redactor(['abcd', 'abcdef', 'a.b*c+']);
    expect(r.redact('x abcdef y abcd z a.b*c+')).toBe('x [REDACTED] y [REDACTED] z [REDACTED]');
    r.setSecrets([]);
    expect(r.redact('abcd')).toBe('abcd');
  });

  it('writes one logfmt line with fields, secrets redacted', () => {
    const lines: string[] = [];
    const logger = new HooklineLogger({ log: (m: string) => lines.push(m), warn: (m: string) => lines.push(`W ${m}`), error: () => undefined }, new Redactor(['s3cret-token']));
    logger.warn('delivery failed', { tenant: 'acme', error: 'bad token s3cret-token', attempt: 2 });
    expect(lines).toEqual(['W delivery failed tenant=acme error="bad token [REDACTED]" attempt=2']);
  });
});

describe('Redactor across reloads and escaping', () => {
  it('keeps secrets a reload removed, and catches JSON-escaped forms', () => {
    const r = new Redactor(['old-token-1']);
    r.addSecrets(['new-token-2']);
    expect(r.redact('old-token-1 new-token-2')).toBe('[REDACTED] [REDACTED]');
    r.addSecrets(['pa"ss\\word']);
    expect(r.redact(JSON.stringify({ error: 'bad pa"ss\\word' }))).toBe('{"error":"bad [REDACTED]"}');
  });
});
