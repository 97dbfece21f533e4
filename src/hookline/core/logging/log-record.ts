import { inspect } from 'node:util';

export type LogFields = Record<string, unknown>;

/**
 * One log line as an object: `msg` and the fields, every value already redacted. Handed to the Nest
 * logger as the message itself, so each kind of logger keeps every field:
 * - nestjs-pino merges its own properties into the line (`msg` is pino's message key);
 * - Nest's JSON console logger writes it as the line's `message` object;
 * - Nest's text console logger (and anything else that inspects or stringifies it) prints one
 *   readable line, `msg key=value …` (logfmt).
 */
export class LogRecord {
  [field: string]: unknown;

  constructor(msg: string, fields: LogFields = {}) {
    this.msg = msg;
    for (const [key, value] of Object.entries(fields)) if (value !== undefined && key !== 'msg') this[key] = value;
  }

  toString(): string {
    const fields = Object.entries(this).filter(([key]) => key !== 'msg');
    return fields.length ? `${this.msg} ${fields.map(([k, v]) => `${k}=${formatValue(v)}`).join(' ')}` : String(this.msg);
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[\w.:/@+-]+$/.test(text ?? '') ? text : JSON.stringify(text);
}
