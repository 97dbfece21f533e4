import type { ConfigRegistry } from '../config/config.registry';
import type { CompiledTenant } from '../config/config-source';
import { CIRCUIT_DEFAULTS, DELIVERY_DEFAULTS, type Consumer } from '../config/config.model';
import { formatPath } from '../config/config-path';
import { HOOK_PLUGIN_TYPE, type ConnectorRegistry } from '../connectors/connector.registry';
import { PermanentError, type ConnectorPlugin } from '../connectors/sdk';
import { ConfigInvalidError } from '../core/errors/config-invalid.error';
import { POST_USER_REGISTRATION } from '../core/events/user-registered.event';
import { privateReason, urlHost, walkStrings, type HostPolicy } from './policy/tenant-policy';
import { interpolateSecrets, secretRefs, withPrevious, type SecretValue } from './secrets/secret-refs';
import type { TenantIssue } from './tenant-write.error';

type Entry = Record<string, unknown>;
const SECTIONS = [
  ['hooks', true],
  ['connectors', false],
] as const;

/** An entry whose secrets are not all set: it compiles to a consumer that fails, naming them. */
interface MissingSecrets {
  id: string;
  kind: 'hook' | 'connector';
  type: string;
  name: string;
  names: string[];
  path: string;
}

export interface StoredTenantCompilation {
  tenant: CompiledTenant;
  /** The definition with secrets filled in (destinations are checked on it). */
  resolved: Record<string, unknown>;
  missing: MissingSecrets[];
}

/**
 * Compiles a stored definition exactly as the file's tenant entries are compiled (same schema, same
 * defaults), after filling in `${secret:NAME}`. No environment variable is visible. Throws
 * ConfigInvalidError with paths inside the definition.
 */
export function compileStoredTenant(
  config: ConfigRegistry,
  connectors: ConnectorRegistry,
  policy: HostPolicy,
  stored: { id: string; definition: Entry; version: number },
  secrets: ReadonlyMap<string, SecretValue>,
): StoredTenantCompilation {
  const { id } = stored;
  const missing: MissingSecrets[] = [];
  const prepared: Entry = { ...stored.definition };
  const resolved: Entry = interpolateSecrets(stored.definition, secrets, (name) => `\${secret:${name}}`) as Entry;
  for (const [key, isHook] of SECTIONS) {
    const list = stored.definition[key];
    if (!Array.isArray(list)) continue;
    prepared[key] = list.map((entry: Entry, index) => {
      if (!entry || typeof entry !== 'object') return entry;
      // A path would make the compiler read a server file (refused as SCRIPT_PATH_NOT_ALLOWED, and never opened).
      if (isHook && 'script' in entry) entry = withoutScript(entry);
      const absent = [...secretRefs(entry)].filter((name) => !secrets.has(name));
      if (absent.length > 0) {
        const type = isHook ? HOOK_PLUGIN_TYPE : String(entry.type);
        const name = typeof entry.name === 'string' ? entry.name : isHook ? 'hook' : type;
        if (entry.enabled !== false) {
          missing.push({ id: `${id}/${type}/${name}`, kind: isHook ? 'hook' : 'connector', type, name, names: absent, path: formatPath([key, index]) });
        }
        // Compiled as a disabled entry with a missing variable: checked for its common fields only.
        return { ...interpolateSecrets(entry, secrets, () => '${env:HOOKLINE_SECRET_NOT_SET}') as Entry, enabled: false };
      }
      const plugin = connectors.get(isHook ? HOOK_PLUGIN_TYPE : String(entry.type));
      const filled = interpolateSecrets(entry, secrets, () => '') as Entry;
      for (const field of plugin?.rotatableSecrets ?? []) {
        const both = withPrevious(entry[field], secrets);
        if (both) filled[field] = both;
      }
      return filled;
    });
  }
  const source = `tenant "${id}" in the tenant store`;
  let compiled;
  try {
    compiled = config.compileTenant(id, prepared, {}, source);
  } catch (error) {
    if (error instanceof ConfigInvalidError) throw new ConfigInvalidError(source, relativeIssues(id, error.issues));
    throw error;
  }
  const consumers = (compiled.tenants.get(id) ?? []).map((c) => (c.kind === 'hook' ? c : guardDestinations(c, resolved, policy)));
  consumers.push(...missing.map((m) => missingSecretConsumer(id, m)));
  const secretValues = [...secrets.values()].flatMap((s) => (s.previous ? [s.value, s.previous.value] : [s.value]));
  return {
    tenant: { id, consumers, version: stored.version, secretValues: [...compiled.secretValues, ...secretValues] },
    resolved,
    missing,
  };
}

/** A hook that cannot run: its other fields are still checked, and no file is read. */
function withoutScript(entry: Entry): Entry {
  const { script: _script, ...rest } = entry;
  void _script;
  return { ...rest, source: 'module.exports = async () => {};', enabled: false };
}

/** `tenants.acme.connectors[0].url` → `connectors[0].url`. */
export function relativeIssues(tenant: string, issues: readonly TenantIssue[]): TenantIssue[] {
  const prefix = formatPath(['tenants', tenant]);
  return issues.map((i) => ({ ...i, path: i.path.startsWith(prefix) ? i.path.slice(prefix.length).replace(/^\./, '') : i.path }));
}

function missingSecretConsumer(tenant: string, m: MissingSecrets): Consumer {
  const names = m.names.map((n) => `"${n}"`).join(', ');
  const plugin: ConnectorPlugin<unknown> = {
    type: m.type,
    displayName: m.type,
    config: undefined as never,
    async deliver() {
      throw new PermanentError(`the secret ${names} of tenant "${tenant}" is not set (PUT …/tenants/${tenant}/secrets/NAME)`, { code: 'SECRET_MISSING' });
    },
  };
  return {
    id: m.id,
    tenant,
    kind: m.kind,
    type: m.type,
    name: m.name,
    triggers: [POST_USER_REGISTRATION],
    plugin,
    config: {},
    retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 1_000,
    destination: `secret-missing:${m.type}/${m.name}`,
    slots: {
      maxInFlight: DELIVERY_DEFAULTS.maxInFlightPerDestination,
      tenantMaxSlots: DELIVERY_DEFAULTS.tenantMaxSlots,
      maxWaiting: DELIVERY_DEFAULTS.maxWaitingPerDestination,
      weight: 1,
    },
    circuit: CIRCUIT_DEFAULTS,
  };
}

/** How long a delivery-time DNS verdict is reused. */
const HOST_CHECK_TTL_MS = 30_000;
const hostVerdicts = new Map<string, { reason?: string; at: number }>();

/**
 * A stored connector checks its destinations again before each request: a name that resolved to a public
 * address at write time may resolve to a private one now.
 */
function guardDestinations(consumer: Consumer, resolved: Entry, policy: HostPolicy): Consumer {
  const entry = findEntry(resolved, consumer);
  const hosts = new Set<string>();
  walkStrings(entry, [], (text) => {
    const host = urlHost(text);
    if (host) hosts.add(host);
  });
  if (hosts.size === 0) return consumer;
  const check = async () => {
    for (const host of hosts) {
      const reason = await cachedReason(host, policy);
      if (reason) throw new PermanentError(`${reason}: a stored tenant may not reach it`, { code: 'PRIVATE_HOST' });
    }
  };
  const { plugin } = consumer;
  const guarded: ConnectorPlugin<unknown> = {
    ...plugin,
    async deliver(event, config, ctx) {
      await check();
      return plugin.deliver(event, config, ctx);
    },
    ...(plugin.batch
      ? {
          batch: {
            ...plugin.batch,
            async deliverBatch(items, ctx) {
              await check();
              return plugin.batch!.deliverBatch(items, ctx);
            },
          },
        }
      : {}),
  };
  return { ...consumer, plugin: guarded };
}

async function cachedReason(host: string, policy: HostPolicy): Promise<string | undefined> {
  const key = `${host}|${policy.allowPrivateHosts.join(',')}`;
  const hit = hostVerdicts.get(key);
  if (hit && Date.now() - hit.at < HOST_CHECK_TTL_MS) return hit.reason;
  const reason = await privateReason(host, policy);
  if (hostVerdicts.size > 10_000) hostVerdicts.clear();
  hostVerdicts.set(key, { reason, at: Date.now() });
  return reason;
}

function findEntry(definition: Entry, consumer: Consumer): unknown {
  const list = (consumer.kind === 'hook' ? definition.hooks : definition.connectors) as Entry[] | undefined;
  return list?.find((e) => (e.name ?? (consumer.kind === 'hook' ? 'hook' : e.type)) === consumer.name && (consumer.kind === 'hook' || e.type === consumer.type));
}

/**
 * The issues of a definition whose secrets are not all set, as far as they can be known: it is compiled
 * with empty values for the missing secrets, and issues at the fields holding them are dropped.
 */
export function issuesWithoutSecrets(config: ConfigRegistry, id: string, definition: Entry, secrets: ReadonlyMap<string, SecretValue>): TenantIssue[] {
  const unknownAt: string[] = [];
  walkStrings(definition, [], (text, path) => {
    if ([...secretRefs(text)].some((name) => !secrets.has(name))) unknownAt.push(formatPath(path));
  });
  if (unknownAt.length === 0) return [];
  try {
    const safe = Array.isArray(definition.hooks)
      ? { ...definition, hooks: definition.hooks.map((h: Entry) => (h && typeof h === 'object' && 'script' in h ? withoutScript(h) : h)) }
      : definition;
    config.compileTenant(id, interpolateSecrets(safe, secrets, () => ''), {}, `tenant "${id}" in the tenant store`);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    const under = (path: string) => unknownAt.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
    return relativeIssues(id, error.issues).filter((issue) => !under(issue.path));
  }
}
