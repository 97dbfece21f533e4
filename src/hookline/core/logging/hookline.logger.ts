import type { LoggerService } from '@nestjs/common';
import { Redactor } from './redactor';

export type LogFields = Record<string, unknown>;
type Level = 'debug' | 'log' | 'warn' | 'error';

/**
 * One structured line per event: a message and `key=value` fields (logfmt), secrets redacted.
 * Writes through a Nest LoggerService (by default `new Logger('Hookline')`), so the host decides format
 * and destination.
 */
export class HooklineLogger {
  constructor(
    private readonly target: LoggerService | false,
    readonly redactor: Redactor,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('log', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: Level, message: string, fields?: LogFields): void {
    if (!this.target) return;
    const line = this.redactor.redact(fields ? `${message} ${formatFields(fields)}` : message);
    const write = this.target[level] ?? this.target.log;
    write.call(this.target, line);
  }
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[\w.:/@+-]+$/.test(text ?? '') ? text : JSON.stringify(text);
}
