import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { SecretCipher, SealedSecret } from '../secrets/secret-cipher';
import type { SecretValue } from '../secrets/secret-refs';
import { migrate, quoteIdent } from './migrations';

export interface StoredTenant {
  id: string;
  definition: Record<string, unknown>;
  version: number;
  updatedAt: string;
}

export interface AdminTokenRecord {
  id: string;
  /** `token:` and the first 12 hex digits of the token's SHA-256: tells tokens apart, never reveals one. */
  fingerprint: string;
  tenants: string[] | null;
  label: string | null;
  createdAt: string;
}

interface SecretRow {
  name: string;
  key_id: string;
  value: Buffer;
  previous_key_id: string | null;
  previous_value: Buffer | null;
  previous_until: Date | null;
}

/**
 * The tables of the tenant store (PostgreSQL, through `pg`): tenant definitions as written, secrets
 * sealed with AES-256-GCM, admin tokens as hashes. Every write is one transaction, serialised per tenant
 * by an advisory lock, and announced with NOTIFY once committed.
 */
export class PgTenantStore {
  readonly channel: string;
  private readonly s: string;

  constructor(
    readonly pool: Pool,
    readonly schema: string,
    readonly cipher: SecretCipher,
  ) {
    this.s = quoteIdent(schema);
    this.channel = `hookline_${schema}`;
  }

  async migrate(): Promise<number[]> {
    const client = await this.pool.connect();
    try {
      return await migrate(client, this.schema);
    } finally {
      client.release();
    }
  }

  /** A tenant's definition and its secrets, decrypted. */
  async read(id: string): Promise<{ tenant?: StoredTenant; secrets: Map<string, SecretValue> }> {
    const [tenant, secrets] = await Promise.all([this.tenant(this.pool, id), this.secrets(this.pool, id)]);
    return { tenant, secrets };
  }

  async tenant(db: Pool | PoolClient, id: string, forUpdate = false): Promise<StoredTenant | undefined> {
    const { rows } = await db.query(
      `SELECT id, definition, version, updated_at FROM ${this.s}.tenants WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async secrets(db: Pool | PoolClient, tenant: string): Promise<Map<string, SecretValue>> {
    const { rows } = await db.query<SecretRow>(
      `SELECT name, key_id, value, previous_key_id, previous_value, previous_until FROM ${this.s}.secrets WHERE tenant = $1`,
      [tenant],
    );
    const out = new Map<string, SecretValue>();
    for (const row of rows) {
      const value = await this.cipher.open({ keyId: row.key_id, value: row.value }, aad(tenant, row.name));
      const previous =
        row.previous_value && row.previous_key_id && row.previous_until && row.previous_until > new Date()
          ? { value: await this.cipher.open({ keyId: row.previous_key_id, value: row.previous_value }, aad(tenant, row.name)), until: row.previous_until }
          : undefined;
      out.set(row.name, previous ? { value, previous } : { value });
    }
    return out;
  }

  async secretNames(tenant: string): Promise<Array<{ name: string; updatedAt: string; previousUntil: string | null }>> {
    const { rows } = await this.pool.query(
      `SELECT name, updated_at, previous_until FROM ${this.s}.secrets WHERE tenant = $1 ORDER BY name`,
      [tenant],
    );
    return rows.map((r) => ({
      name: r.name,
      updatedAt: r.updated_at.toISOString(),
      previousUntil: r.previous_until && r.previous_until > new Date() ? r.previous_until.toISOString() : null,
    }));
  }

  /** Current versions of the given tenants (absent ones are not in the map). */
  async versions(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query(`SELECT id, version FROM ${this.s}.tenants WHERE id = ANY($1::text[])`, [ids]);
    return new Map(rows.map((r) => [r.id as string, Number(r.version)]));
  }

  async defined(ids: readonly string[]): Promise<string[]> {
    return [...(await this.versions(ids)).keys()];
  }

  /** A page of tenants by id, after `cursor`; `only` limits it to those ids (a scoped token's). */
  async list(
    cursor: string | undefined,
    limit: number,
    only?: readonly string[],
  ): Promise<{ items: Array<Omit<StoredTenant, 'definition'>>; next: string | null }> {
    const { rows } = await this.pool.query(
      `SELECT id, version, updated_at FROM ${this.s}.tenants WHERE id > $1 AND ($3::text[] IS NULL OR id = ANY($3::text[])) ORDER BY id LIMIT $2`,
      [cursor ?? '', limit + 1, only ? [...only] : null],
    );
    const items = rows.slice(0, limit).map((r) => ({ id: r.id, version: Number(r.version), updatedAt: r.updated_at.toISOString() }));
    return { items, next: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** Runs `work` in one transaction holding the tenant's lock; NOTIFY is sent when it commits. */
  async transaction<T>(tenant: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hookline.tenant.${this.schema}.${tenant}`]);
      const result = await work(new TenantTransaction(client, this, tenant));
      await client.query('SELECT pg_notify($1, $2)', [this.channel, tenant]);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Issues an admin token: only its hash is stored; the token itself is returned once. */
  async createToken(tenants: string[] | null, label: string | null): Promise<{ token: string; record: AdminTokenRecord }> {
    const id = `tok_${randomBytes(6).toString('hex')}`;
    const token = `hl_${randomBytes(24).toString('base64url')}`;
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.s}.admin_tokens (id, token_hash, tenants, label) VALUES ($1, $2, $3, $4) RETURNING created_at`,
      [id, hashToken(token), tenants, label],
    );
    return { token, record: { id, fingerprint: fingerprintOf(hashToken(token)), tenants, label, createdAt: rows[0].created_at.toISOString() } };
  }

  async listTokens(): Promise<AdminTokenRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT id, token_hash, tenants, label, created_at FROM ${this.s}.admin_tokens WHERE revoked_at IS NULL ORDER BY created_at, id`,
    );
    return rows.map(toTokenRecord);
  }

  async revokeToken(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.s}.admin_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The live token matching a presented bearer token (compared by its SHA-256, an index lookup). */
  async findToken(token: string): Promise<AdminTokenRecord | undefined> {
    const { rows } = await this.pool.query(
      `SELECT id, token_hash, tenants, label, created_at FROM ${this.s}.admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hashToken(token)],
    );
    return rows[0] ? toTokenRecord(rows[0]) : undefined;
  }

  /** Re-encrypts every secret not sealed with the current key. Returns how many values changed. */
  async rotateKeys(): Promise<number> {
    const current = await this.cipher.currentKeyId();
    const { rows } = await this.pool.query(
      `SELECT tenant, name FROM ${this.s}.secrets WHERE key_id <> $1 OR (previous_key_id IS NOT NULL AND previous_key_id <> $1)`,
      [current],
    );
    let changed = 0;
    for (const row of rows) {
      await this.transaction(row.tenant, async (tx) => {
        changed += await tx.reseal(row.name);
      });
    }
    return changed;
  }

  get tables(): string {
    return this.s;
  }
}

/** Writes of one tenant inside one transaction. */
export class TenantTransaction {
  constructor(
    readonly client: PoolClient,
    private readonly store: PgTenantStore,
    readonly tenant: string,
  ) {}

  current(): Promise<StoredTenant | undefined> {
    return this.store.tenant(this.client, this.tenant, true);
  }

  secrets(): Promise<Map<string, SecretValue>> {
    return this.store.secrets(this.client, this.tenant);
  }

  async putDefinition(definition: Record<string, unknown>): Promise<number> {
    const { rows } = await this.client.query(
      `INSERT INTO ${this.store.tables}.tenants (id, definition) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, version = tenants.version + 1, updated_at = now()
       RETURNING version`,
      [this.tenant, JSON.stringify(definition)],
    );
    return Number(rows[0].version);
  }

  async deleteTenant(): Promise<boolean> {
    const { rowCount } = await this.client.query(`DELETE FROM ${this.store.tables}.tenants WHERE id = $1`, [this.tenant]);
    await this.client.query(`DELETE FROM ${this.store.tables}.secrets WHERE tenant = $1`, [this.tenant]);
    return (rowCount ?? 0) > 0;
  }

  /** Seals and stores a secret. With `overlapMs`, the value it replaces keeps working that long (signing secrets). */
  async putSecret(name: string, value: string, overlapMs = 0): Promise<void> {
    const sealed = await this.store.cipher.seal(value, aad(this.tenant, name));
    const keep = overlapMs > 0;
    await this.client.query(
      `INSERT INTO ${this.store.tables}.secrets AS s (tenant, name, key_id, value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant, name) DO UPDATE SET key_id = EXCLUDED.key_id, value = EXCLUDED.value,
         previous_key_id = CASE WHEN $5 THEN s.key_id END,
         previous_value = CASE WHEN $5 THEN s.value END,
         previous_until = CASE WHEN $5 THEN now() + ($6 || ' milliseconds')::interval END,
         updated_at = now()`,
      [this.tenant, name, sealed.keyId, sealed.value, keep, String(overlapMs)],
    );
    await this.bumpVersion();
  }

  async deleteSecret(name: string): Promise<boolean> {
    const { rowCount } = await this.client.query(`DELETE FROM ${this.store.tables}.secrets WHERE tenant = $1 AND name = $2`, [this.tenant, name]);
    await this.bumpVersion();
    return (rowCount ?? 0) > 0;
  }

  /** Re-seals one secret (and its previous value) with the current key. */
  async reseal(name: string): Promise<number> {
    const { rows } = await this.client.query<SecretRow>(
      `SELECT name, key_id, value, previous_key_id, previous_value, previous_until FROM ${this.store.tables}.secrets WHERE tenant = $1 AND name = $2 FOR UPDATE`,
      [this.tenant, name],
    );
    const row = rows[0];
    if (!row) return 0;
    const ad = aad(this.tenant, name);
    const reseal = async (sealed: SealedSecret) => this.store.cipher.seal(await this.store.cipher.open(sealed, ad), ad);
    const value = await reseal({ keyId: row.key_id, value: row.value });
    const previous = row.previous_value && row.previous_key_id ? await reseal({ keyId: row.previous_key_id, value: row.previous_value }) : null;
    await this.client.query(
      `UPDATE ${this.store.tables}.secrets SET key_id = $3, value = $4, previous_key_id = $5, previous_value = $6 WHERE tenant = $1 AND name = $2`,
      [this.tenant, name, value.keyId, value.value, previous?.keyId ?? null, previous?.value ?? null],
    );
    return previous ? 2 : 1;
  }

  /** A secret change changes what the tenant compiles to: its version moves, so every cache drops it. */
  private async bumpVersion(): Promise<void> {
    await this.client.query(`UPDATE ${this.store.tables}.tenants SET version = version + 1, updated_at = now() WHERE id = $1`, [this.tenant]);
  }
}

/** Binds a ciphertext to its row. */
function aad(tenant: string, name: string): string {
  return `${tenant}/${name}`;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The admin API's principal for a token: the same form as for configured tokens. */
export function fingerprintOf(tokenHashHex: string): string {
  return 'token:' + tokenHashHex.slice(0, 12);
}

function toTokenRecord(row: { id: string; token_hash: string; tenants: string[] | null; label: string | null; created_at: Date }): AdminTokenRecord {
  return { id: row.id, fingerprint: fingerprintOf(row.token_hash), tenants: row.tenants, label: row.label, createdAt: row.created_at.toISOString() };
}

function toTenant(row: { id: string; definition: Record<string, unknown>; version: string | number; updated_at: Date }): StoredTenant {
  return { id: row.id, definition: row.definition, version: Number(row.version), updatedAt: row.updated_at.toISOString() };
}
