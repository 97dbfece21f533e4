import type { LoggerService } from '@nestjs/common';

export interface CapturedLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
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
    this.lines.push({ level, message: typeof message === 'string' ? message : JSON.stringify(message) });
  }
}
