import { inspect } from 'node:util';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { HooklineLogger } from './hookline.logger';
import { Redactor } from './redactor';

describe('Redactor and HooklineLogger', () => {
  it('replaces every secret, longest first, including regex metacharacters', () => {
    const r = new Redactor(['abcd', 'abcdef', 'a.b*c+']);
    expect(r.redact('x abcdef y abcd z a.b*c+')).toBe('x [REDACTED] y [REDACTED] z [REDACTED]');
    r.setSecrets([]);
    expect(r.redact('abcd')).toBe('abcd');
  });

  it('writes one structured record per line: msg and fields, secrets redacted, text as logfmt', () => {
    const lines: Array<[string, unknown]> = [];
    const target = { log: (m: unknown) => lines.push(['log', m]), warn: (m: unknown) => lines.push(['warn', m]), error: () => undefined };
    const logger = new HooklineLogger(target, new Redactor(['s3cret-token']));
    logger.warn('delivery failed', { tenant: 'acme', error: 'bad token s3cret-token', attempt: 2, skipped: undefined });
    const [[level, record]] = lines;
    expect(level).toBe('warn');
    // What JSON loggers see: every field, as a plain object would give them.
    expect(JSON.parse(JSON.stringify(record))).toEqual({ msg: 'delivery failed', tenant: 'acme', error: 'bad token [REDACTED]', attempt: 2 });
    expect({ ...(record as object) }).toEqual({ msg: 'delivery failed', tenant: 'acme', error: 'bad token [REDACTED]', attempt: 2 });
    // What text loggers print (Nest's ConsoleLogger inspects it): one logfmt line.
    expect(String(record)).toBe('delivery failed tenant=acme error="bad token [REDACTED]" attempt=2');
    expect(inspect(record)).toBe(String(record));
  });

  it('redacts secrets inside nested fields, errors and arrays, and in the message', () => {
    const records: unknown[] = [];
    const logger = new HooklineLogger({ log: (m: unknown) => records.push(m), warn: () => undefined, error: (m: unknown) => records.push(m) }, new Redactor(['tok_abcdef']));
    logger.error('failed with tok_abcdef', { details: { url: 'https://x.test/?t=tok_abcdef', list: ['tok_abcdef', 3] }, error: new Error('401 for tok_abcdef') });
    expect(JSON.stringify(records)).not.toContain('tok_abcdef');
    expect(JSON.parse(JSON.stringify(records[0]))).toEqual({
      msg: 'failed with [REDACTED]',
      details: { url: 'https://x.test/?t=[REDACTED]', list: ['[REDACTED]', 3] },
      error: '401 for [REDACTED]',
    });
  });

  it('prints through Nest\'s ConsoleLogger as one text line, and as one JSON object with every field', () => {
    const text = captureStdout(() => new HooklineLogger(new ConsoleLogger('Hookline', { colors: false }), new Redactor()).info('delivery succeeded', { tenant: 'acme', consumerId: 'acme/webhook/crm', attempt: 1 }));
    expect(text).toMatch(/LOG \[Hookline\] delivery succeeded tenant=acme consumerId=acme\/webhook\/crm attempt=1\n$/);
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    const json = captureStdout(() => new HooklineLogger(new ConsoleLogger('Hookline', { json: true }), new Redactor()).info('delivery succeeded', { tenant: 'acme', attempt: 1 }));
    expect(JSON.parse(json)).toMatchObject({ level: 'log', context: 'Hookline', message: { msg: 'delivery succeeded', tenant: 'acme', attempt: 1 } });
  });
});

describe('HooklineLogger levels', () => {
  it("does not build a line the target would drop: a ConsoleLogger's own levels", () => {
    const { redactor, seen } = watchedRedactor();
    const text = captureStdout(() => {
      const logger = new HooklineLogger(new ConsoleLogger('Hookline', { colors: false, logLevels: ['log', 'warn', 'error'] }), redactor);
      logger.debug('delivery succeeded', { tenant: 'acme' });
      logger.info('Hookline ready', { tenant: 'acme' });
    });
    expect(seen).not.toContain('delivery succeeded');
    expect(seen).toContain('Hookline ready');
    expect(text).toContain('Hookline ready tenant=acme');
  });

  it("follows the app's levels through Nest's Logger, and hands every line to a logger that cannot tell", () => {
    const { redactor, seen } = watchedRedactor();
    Logger.overrideLogger(['log', 'warn', 'error']);
    try {
      const logger = new HooklineLogger(new Logger('Hookline'), redactor);
      captureStdout(() => logger.debug('dropped line', {}));
      expect(seen).toEqual([]);
    } finally {
      Logger.overrideLogger(['verbose', 'debug', 'log', 'warn', 'error', 'fatal']);
    }
    const lines: string[] = [];
    const pinoLike = { log: (m: unknown) => lines.push(String(m)), debug: (m: unknown) => lines.push(String(m)), warn: () => undefined, error: () => undefined };
    new HooklineLogger(pinoLike, new Redactor()).debug('kept line', { attempt: 1 });
    expect(lines).toEqual(['kept line attempt=1']);
  });
});

/** A real Redactor that also notes each message it redacts: a line that is built goes through it. */
function watchedRedactor(): { redactor: Redactor; seen: string[] } {
  const seen: string[] = [];
  const redactor = new Redactor();
  const redact = redactor.redact.bind(redactor);
  redactor.redact = (text: string) => (seen.push(text), redact(text));
  return { redactor, seen };
}

function captureStdout(run: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    run();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('Redactor across reloads and escaping', () => {
  it('keeps secrets a reload removed, and catches JSON-escaped forms', () => {
    const r = new Redactor(['old-token-1']);
    r.addSecrets(['new-token-2']);
    expect(r.redact('old-token-1 new-token-2')).toBe('[REDACTED] [REDACTED]');
    r.addSecrets(['pa"ss\\word']);
    expect(r.redact(JSON.stringify({ error: 'bad pa"ss\\word' }))).toBe('{"error":"bad [REDACTED]"}');
  });
});
