import { Logger, type LoggerService } from '@nestjs/common';
import { LogRecord, type LogFields } from './log-record';
import { Redactor } from './redactor';

export type { LogFields } from './log-record';
type Level = 'debug' | 'log' | 'warn' | 'error';

/**
 * One structured line per event: a message and fields, secrets redacted (in the message and in every
 * field value, nested ones too). Writes a {@link LogRecord} through a Nest LoggerService (by default
 * `new Logger('Hookline')`), so the host decides format and destination: JSON loggers keep every field,
 * text loggers print `message key=value …`. Field names used across the module: `tenant`, `consumerId`,
 * `eventId`, `deliveryId`, `attempt`, `outcome`, `durationMs`, `error`.
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

  /** Whether a line at this level would be written: a caller can skip building fields for a dropped line. */
  isEnabled(level: Level): boolean {
    return this.target !== false && this.enabled(level);
  }

  private write(level: Level, message: string, fields?: LogFields): void {
    if (!this.target || !this.enabled(level)) return;
    const record = new LogRecord(this.redactor.redact(message), fields ? (this.redactor.redactValue(fields) as LogFields) : undefined);
    const write = this.target[level] ?? this.target.log;
    write.call(this.target, record);
  }

  /**
   * Whether the target prints this level, when it can tell: a line it would drop is not built (redacting
   * and copying a delivery's fields costs more than the write). Nest's `Logger` follows the app's levels;
   * a `ConsoleLogger` has its own; any other logger (pino…) filters by itself, so gets every line.
   */
  private enabled(level: Level): boolean {
    if (this.target instanceof Logger) return Logger.isLevelEnabled(level);
    const own = (this.target as { isLevelEnabled?: (level: Level) => boolean }).isLevelEnabled;
    return typeof own === 'function' ? own.call(this.target, level) : true;
  }
}
