import type { ConfigRegistry } from '../config/config.registry';
import type { ConnectorRegistry } from '../connectors/connector.registry';
import { ConfigInvalidError } from '../core/errors/config-invalid.error';
import { TENANT_ID_PATTERN } from '../core/events/user-registered.event';
import type { HooklineLogger } from '../core/logging/hookline.logger';
import { checkDestinations, checkWrittenDefinition, type HostPolicy } from './policy/tenant-policy';
import { SECRET_NAME, type SecretValue } from './secrets/secret-refs';
import type { AdminTokenRecord, PgTenantStore, StoredTenant, TenantTransaction } from './store/pg-tenant-store';
import type { StoreTenantSource } from './store/store-tenant-source';
import { compileStoredTenant, issuesWithoutSecrets, relativeIssues } from './tenant-compiler';
import { StoreNotConfiguredError, TenantWriteError, type TenantIssue } from './tenant-write.error';

type Definition = Record<string, unknown>;
type Entry = Record<string, unknown>;

/** A tenant as the store holds it. Secrets are references (`${secret:NAME}`); their values are never returned. */
export interface TenantView {
  id: string;
  definition: Definition;
  version: number;
  updatedAt: string;
  secrets: string[];
}

/** What a write did: the tenant's new version, and what it cannot do yet (a secret not set). */
export interface TenantWriteResult {
  id: string;
  version: number;
  warnings: TenantIssue[];
}

export interface SecretWriteOptions {
  /** Keep the replaced value valid this long (a webhook signing secret: both sign meanwhile). @default 0 */
  overlapMs?: number;
}

/** A parsed consumer address: `hook/<name>` for hooks, `<type>/<name>` for connectors. */
export interface ConsumerRef {
  type: string;
  name: string;
}

export interface TenantsDeps {
  store: PgTenantStore;
  source: StoreTenantSource;
  config: ConfigRegistry;
  connectors: ConnectorRegistry;
  policy: HostPolicy;
  logger: HooklineLogger;
}

/**
 * Writes tenants, consumers and secrets to the tenant store, at run time. Every write is validated
 * whole (the file's schema plus the store's rules), is one transaction, and reaches every instance
 * within a second. A refused write changes nothing and says why, field by field.
 */
export class HooklineTenants {
  constructor(private readonly deps: TenantsDeps | undefined) {}

  /** True when the module was given a store. */
  get enabled(): boolean {
    return this.deps !== undefined;
  }

  /** A page of the store's tenants by id; `only` limits it to those ids. */
  async listTenants(options: { cursor?: string; limit?: number; only?: readonly string[] } = {}) {
    return this.d.store.list(options.cursor, Math.min(Math.max(options.limit ?? 100, 1), 500), options.only);
  }

  async getTenant(id: string): Promise<TenantView | undefined> {
    const { store } = this.d;
    const tenant = await store.tenant(store.pool, id);
    if (!tenant) return undefined;
    const secrets = (await store.secretNames(id)).map((s) => s.name);
    return { id, definition: tenant.definition, version: tenant.version, updatedAt: tenant.updatedAt, secrets };
  }

  /** Creates or replaces a tenant's whole definition (the shape of a tenant entry of the file). */
  upsertTenant(id: string, definition: unknown): Promise<TenantWriteResult> {
    return this.write(id, () => {
      if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
        throw TenantWriteError.invalid(id, [{ path: '', message: 'expected a tenant entry: an object with "hooks" and/or "connectors"' }]);
      }
      return definition as Definition;
    });
  }

  async removeTenant(id: string): Promise<boolean> {
    this.assertWritable(id);
    const removed = await this.d.store.transaction(id, (tx) => tx.deleteTenant());
    this.d.source.invalidate(id);
    return removed;
  }

  /** Adds a consumer, or replaces the one with this type and name. */
  putConsumer(tenant: string, ref: ConsumerRef, entry: Entry): Promise<TenantWriteResult> {
    return this.editConsumer(tenant, ref, true, () => ({ ...withoutAddress(entry, ref), ...address(ref) }));
  }

  /** Changes some fields of a consumer (a shallow merge; `null` removes a field). */
  patchConsumer(tenant: string, ref: ConsumerRef, patch: Entry): Promise<TenantWriteResult> {
    return this.editConsumer(tenant, ref, false, (current) => {
      const next: Entry = { ...current, ...withoutAddress(patch, ref) };
      for (const [k, v] of Object.entries(patch)) if (v === null) delete next[k];
      return next;
    });
  }

  enableConsumer(tenant: string, ref: ConsumerRef): Promise<TenantWriteResult> {
    return this.patchConsumer(tenant, ref, { enabled: true });
  }

  disableConsumer(tenant: string, ref: ConsumerRef): Promise<TenantWriteResult> {
    return this.patchConsumer(tenant, ref, { enabled: false });
  }

  removeConsumer(tenant: string, ref: ConsumerRef): Promise<TenantWriteResult> {
    return this.editConsumer(tenant, ref, false, () => undefined);
  }

  /**
   * Sets a secret (write-only). The tenant's consumers are validated with the new value first: a value
   * they would refuse (a malformed signing secret) is refused, and nothing changes.
   */
  async setSecret(tenant: string, name: string, value: unknown, options: SecretWriteOptions = {}): Promise<TenantWriteResult> {
    if (!SECRET_NAME.test(name)) throw TenantWriteError.invalid(tenant, [{ path: 'name', message: 'expected a secret name of letters, digits and "_" (at most 128)' }]);
    if (typeof value !== 'string' || value.length === 0) throw TenantWriteError.invalid(tenant, [{ path: 'value', message: 'expected a non-empty string' }]);
    const overlapMs = options.overlapMs ?? 0;
    if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > 30 * 86_400_000) {
      throw TenantWriteError.invalid(tenant, [{ path: 'overlapMs', message: 'expected whole milliseconds between 0 and 30 days' }]);
    }
    this.assertWritable(tenant);
    const result = await this.d.store.transaction(tenant, async (tx) => {
      const current = await tx.current();
      const secrets = await tx.secrets();
      const next = new Map(secrets);
      next.set(name, { value });
      const warnings = current ? await this.validate(tenant, current.definition, next, current.version) : [];
      await tx.putSecret(name, value, overlapMs);
      return { id: tenant, version: (current?.version ?? 0) + (current ? 1 : 0), warnings };
    });
    this.d.logger.redactor.addSecrets([value]);
    this.d.source.invalidate(tenant);
    return result;
  }

  async deleteSecret(tenant: string, name: string): Promise<boolean> {
    this.assertWritable(tenant);
    const removed = await this.d.store.transaction(tenant, (tx) => tx.deleteSecret(name));
    this.d.source.invalidate(tenant);
    return removed;
  }

  async listSecrets(tenant: string) {
    return this.d.store.secretNames(tenant);
  }

  /** Issues an admin token, scoped to `tenants` (or every tenant with null). Returned once; stored hashed. */
  issueToken(tenants: string[] | null, label?: string): Promise<{ token: string; record: AdminTokenRecord }> {
    return this.d.store.createToken(tenants, label ?? null);
  }

  listTokens(): Promise<AdminTokenRecord[]> {
    return this.d.store.listTokens();
  }

  revokeToken(id: string): Promise<boolean> {
    return this.d.store.revokeToken(id);
  }

  /** The live run-time token matching a bearer token, or undefined (also without a store). */
  async verifyToken(token: string): Promise<AdminTokenRecord | undefined> {
    return this.deps ? this.deps.store.findToken(token) : undefined;
  }

  private get d(): TenantsDeps {
    if (!this.deps) throw new StoreNotConfiguredError();
    return this.deps;
  }

  private assertWritable(id: string): void {
    if (!TENANT_ID_PATTERN.test(id)) {
      throw TenantWriteError.invalid(id, [{ path: 'tenant', message: `expected a tenant id matching ${TENANT_ID_PATTERN}` }]);
    }
    if (this.d.config.isStaticTenant(id)) {
      throw new TenantWriteError('TENANT_DEFINED_IN_FILE', `the tenant "${id}" is defined in ${this.d.config.config.source}: change it there`, 409);
    }
  }

  private editConsumer(tenant: string, ref: ConsumerRef, create: boolean, edit: (current: Entry) => Entry | undefined) {
    return this.write(tenant, (current) => {
      if (!current && !create) throw new TenantWriteError('NOT_FOUND', `no tenant "${tenant}" in the store`, 404);
      const definition: Definition = { ...(current?.definition ?? {}) };
      const key = ref.type === 'hook' ? 'hooks' : 'connectors';
      const list = Array.isArray(definition[key]) ? [...(definition[key] as Entry[])] : [];
      const index = list.findIndex((e) => matches(e, ref));
      if (index < 0 && !create) throw new TenantWriteError('NOT_FOUND', `tenant "${tenant}" has no consumer ${ref.type}/${ref.name}`, 404);
      const next = edit(index < 0 ? {} : list[index]);
      if (next === undefined) list.splice(index, 1);
      else if (index < 0) list.push(next);
      else list[index] = next;
      definition[key] = list;
      return definition;
    });
  }

  /** One transaction: read, change, validate the result whole, write. */
  private async write(id: string, change: (current: StoredTenant | undefined) => Definition): Promise<TenantWriteResult> {
    this.assertWritable(id);
    const result = await this.d.store.transaction(id, async (tx: TenantTransaction) => {
      const current = await tx.current();
      const definition = versionHooks(change(current), current?.definition);
      const warnings = await this.validate(id, definition, await tx.secrets(), (current?.version ?? 0) + 1);
      const version = await tx.putDefinition(definition);
      return { id, version, warnings };
    });
    this.d.source.invalidate(id);
    this.d.logger.info('tenant written', { tenant: id, version: result.version });
    return result;
  }

  /** Throws TenantWriteError with every issue; returns warnings (secrets not set yet). */
  private async validate(id: string, definition: Definition, secrets: ReadonlyMap<string, SecretValue>, version: number): Promise<TenantIssue[]> {
    const { config, connectors, policy } = this.d;
    const issues = checkWrittenDefinition(definition, connectors);
    let compiled;
    try {
      compiled = compileStoredTenant(config, connectors, policy, { id, definition, version }, secrets);
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      issues.push(...relativeIssues(id, error.issues));
    }
    if (compiled) issues.push(...(await checkDestinations(compiled.resolved, policy)));
    // Entries waiting for a secret are checked as far as they can be without it.
    issues.push(...issuesWithoutSecrets(config, id, definition, secrets));
    if (issues.length > 0) throw TenantWriteError.invalid(id, dedupe(withoutEnvEcho(issues)));
    return compiled!.missing.map((m) => ({
      path: m.path,
      code: 'SECRET_MISSING',
      message: `the secret ${m.names.join(', ')} is not set: ${m.id} fails its deliveries until it is`,
    }));
  }
}

/** A stored hook's version moves when its source changes. */
function versionHooks(definition: Definition, previous: Definition | undefined): Definition {
  if (!Array.isArray(definition.hooks)) return definition;
  const before = Array.isArray(previous?.hooks) ? (previous!.hooks as Entry[]) : [];
  const hooks = (definition.hooks as Entry[]).map((hook) => {
    if (!hook || typeof hook !== 'object' || typeof hook.source !== 'string' || hook.version !== undefined) return hook;
    const old = before.find((h) => h.name === hook.name);
    const version = !old ? 1 : old.source === hook.source ? Number(old.version ?? 1) : Number(old.version ?? 1) + 1;
    return { ...hook, version };
  });
  return { ...definition, hooks };
}

function matches(entry: Entry, ref: ConsumerRef): boolean {
  if (ref.type === 'hook') return (entry.name ?? 'hook') === ref.name;
  return entry.type === ref.type && (entry.name ?? entry.type) === ref.name;
}

function address(ref: ConsumerRef): Entry {
  return ref.type === 'hook' ? { name: ref.name } : { type: ref.type, name: ref.name };
}

function withoutAddress(entry: Entry, ref: ConsumerRef): Entry {
  const { type: _type, name: _name, ...rest } = entry ?? {};
  void _type;
  void _name;
  void ref;
  return rest;
}

/**
 * A field refused with ENV_NOT_ALLOWED also fails to compile ("environment variable X is not set": stored
 * tenants never read the environment). That second message only confuses, so it goes.
 */
function withoutEnvEcho(issues: TenantIssue[]): TenantIssue[] {
  const refused = new Set(issues.filter((i) => i.code === 'ENV_NOT_ALLOWED').map((i) => i.path));
  return issues.filter((i) => i.code || !refused.has(i.path) || !/environment variable/.test(i.message));
}

function dedupe(issues: TenantIssue[]): TenantIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}|${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
