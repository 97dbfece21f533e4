import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A schema name of its own per test file, so parallel suites never share tables or notifications. */
export function uniqueSchema(label: string): string {
  return `hltest_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
}

/** Runs SQL on a short-lived connection. */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Drops a schema this test created (never one it did not). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!schema.startsWith('hltest_')) throw new Error(`refusing to drop ${schema}: not a test schema`);
  await sql(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A fresh 32-byte key in base64, as HOOKLINE_SECRETS_KEY takes it. */
export function aSecretsKey(): string {
  return randomBytes(32).toString('base64');
}
