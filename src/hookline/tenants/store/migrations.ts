import type { PoolClient } from 'pg';

/** One schema change. Versions only grow; a released migration is never edited, only followed by another. */
interface Migration {
  version: number;
  name: string;
  sql(schema: string): string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, encrypted secrets, admin tokens',
    sql: (s) => `
      CREATE TABLE ${s}.tenants (
        id text PRIMARY KEY,
        definition jsonb NOT NULL,
        version bigint NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${s}.secrets (
        tenant text NOT NULL,
        name text NOT NULL,
        key_id text NOT NULL,
        value bytea NOT NULL,
        previous_key_id text,
        previous_value bytea,
        previous_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, name)
      );
      CREATE TABLE ${s}.admin_tokens (
        id text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        tenants text[],
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );`,
  },
  {
    version: 2,
    name: 'OAuth access tokens shared by instances',
    sql: (s) => `
      CREATE TABLE ${s}.oauth_tokens (
        consumer text PRIMARY KEY,
        key_id text NOT NULL,
        value bytea NOT NULL,
        expires_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Brings the schema up to the latest version. One instance migrates at a time (an advisory lock held by
 * the transaction); the others wait, then find nothing left to do.
 */
export async function migrate(client: PoolClient, schema: string): Promise<number[]> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hookline.migrate.${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${s}.migrations`);
    const applied: number[] = [];
    for (const m of MIGRATIONS.filter((m) => m.version > rows[0].version)) {
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

export function quoteIdent(name: string): string {
  if (!SCHEMA_NAME.test(name)) throw new TypeError(`expected a schema name of lowercase letters, digits and "_", received ${JSON.stringify(name)}`);
  return `"${name}"`;
}
