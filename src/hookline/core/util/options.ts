import type { z } from 'zod';
import { OptionsInvalidError } from '../errors/options-invalid.error';

/**
 * Parses module options with a zod schema; the first problem becomes an OptionsInvalidError naming the
 * option (`transport.lockDurationMs`) with what was expected (the issue's message) and what was received.
 */
export function parseOptions<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(the options object)';
  const expected = issue.code === 'unrecognized_keys' ? `no option ${issue.keys.join(', ')}` : issue.message;
  const at = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  return fail(at === undefined ? path : `${path}.${at}`, expected, withoutCredentials(valueAt(value, issue.path)));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) current = current && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[key] : undefined;
  return current;
}

/** A URL's user and password never reach a message. */
function withoutCredentials(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\/\/[^@/\s]*@/g, '//***@') : value;
}

function fail(option: string, expected: string, received: unknown): never {
  throw new OptionsInvalidError(option, expected, received);
}
