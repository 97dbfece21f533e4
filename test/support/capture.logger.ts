import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';

export interface CapturedLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  /** The line as a text logger prints it (Hookline's records: `message key=value …`). */
  message: string;
  /** The fields of a structured line (an object message, as Hookline writes), as a JSON logger keeps them. */
  fields?: Record<string, unknown>;
}

/** A LoggerService that keeps every line, for assertions on what was logged (and what was not). */
export class CaptureLogger implements LoggerService {
  readonly lines: CapturedLine[] = [];

  log(message: unknown): void {
    this.push('log', message);
  }
  error(message: unknown): void {
    this.push('error', message);
  }
  warn(message: unknown): void {
    this.push('warn', message);
  }
  debug(message: unknown): void {
    this.push('debug', message);
  }
  verbose(message: unknown): void {
    this.push('verbose', message);
  }
  fatal(message: unknown): void {
    this.push('fatal', message);
  }

  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join('\n');
  }

  matching(pattern: RegExp): CapturedLine[] {
    return this.lines.filter((l) => pattern.test(l.message));
  }

  private push(level: CapturedLine['level'], message: unknown): void {
    if (typeof message === 'string') return void this.lines.push({ level, message });
    // An object is kept as JSON loggers keep it, and shown as Nest's text logger prints it (inspect).
    const fields = message && typeof message === 'object' ? (JSON.parse(JSON.stringify(message)) as Record<string, unknown>) : undefined;
    this.lines.push({ level, message: inspect(message, { breakLength: Infinity, compact: true }), ...(fields ? { fields } : {}) });
  }
}
