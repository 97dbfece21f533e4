import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from './usage.error';

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The hook's secrets: those of `--secrets-file` (a `.json` object of strings, anything else read as dotenv),
 * then each `--secret KEY=VALUE` over them. A file keeps values out of shell history and `ps`.
 */
export function readSecrets(file: string | undefined, pairs: string[], cwd: string): Record<string, string> {
  const secrets = file ? readSecretsFile(resolve(cwd, file), file) : {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!SECRET_NAME.test(key)) throw new UsageError(`--secret expects KEY=VALUE, received ${JSON.stringify(pair.split('=')[0])}`);
    secrets[key] = pair.slice(eq + 1);
  }
  return secrets;
}

function readSecretsFile(path: string, shown: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--secrets-file: file not found: ${shown}`);
  }
  const secrets = extname(path).toLowerCase() === '.json' ? parseJsonSecrets(text, shown) : parseEnv(text);
  for (const [key, value] of Object.entries(secrets)) {
    if (!SECRET_NAME.test(key)) throw new UsageError(`--secrets-file ${shown}: ${JSON.stringify(key)} is not a valid secret name (letters, digits and _)`);
    if (typeof value !== 'string') throw new UsageError(`--secrets-file ${shown}: the value of ${key} must be a string`);
  }
  return { ...secrets } as Record<string, string>;
}

function parseJsonSecrets(text: string, shown: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--secrets-file: invalid JSON in ${shown}: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--secrets-file ${shown} must hold a JSON object of strings, { "NAME": "value" }`);
  }
  return value as Record<string, unknown>;
}
