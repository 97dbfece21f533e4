import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { ConfigEnv, ConnectorPlugin, RetrySettings } from '../connectors/sdk';
import { ConnectorRegistry, HOOK_PLUGIN_TYPE } from '../connectors/connector.registry';
import { ConfigInvalidError, type ConfigIssue } from '../core/errors/config-invalid.error';
import { messages } from '../core/errors/hookline.messages';
import { POST_USER_REGISTRATION } from '../core/events/user-registered.event';
import { CIRCUIT_DEFAULTS, DELIVERY_DEFAULTS, SANDBOX_DEFAULTS, type CompiledConfig, type Consumer, type ConsumerKind } from './config.model';
import { destinationOf, settleSharedDestinations } from './destinations';
import { COMMON_ENTRY_KEYS, commonEntrySchema, configFileSchema, type ConfigFile } from './config.schema';
import { formatPath, interpolateEnv, isUnder, type MissingEnv } from './env-interpolation';
import { readCaOption } from '../hooks/host/sandbox-trust';

interface ConfigDefaults {
  retry: Required<RetrySettings>;
  timeoutMs: number;
}

type DeliveryDefaults = { -readonly [K in keyof typeof DELIVERY_DEFAULTS]: number };

/** What cascades besides retry and timeout: slot limits and circuit settings, resolved per tenant. */
interface TenantDefaults extends ConfigDefaults {
  delivery: DeliveryDefaults;
  circuit: Consumer['circuit'];
  weight: number;
}

export interface LoadOptions {
  registry: ConnectorRegistry;
  defaults: ConfigDefaults;
  env?: NodeJS.ProcessEnv;
}

/** Reads and validates a config file (YAML, or JSON by its `.json` extension). Throws ConfigInvalidError. */
export function loadConfigFile(file: string, options: LoadOptions): CompiledConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(file, [{ path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
  return compileConfig(parseConfigText(text, file), { ...options, source: file, baseDir: dirname(path) });
}

export function parseConfigText(text: string, source: string): unknown {
  if (extname(source).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigInvalidError(source, [{ path: '', message: `invalid JSON: ${(error as Error).message}` }]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigInvalidError(
      source,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return doc.toJS();
}

/** Validates a parsed config (from a file or an inline object) into ready-to-run consumers. */
export function compileConfig(
  raw: unknown,
  options: LoadOptions & { source: string; baseDir: string },
): CompiledConfig {
  const { source } = options;
  const env = options.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const { value, missing } = interpolateEnv(raw, env);

  // An admin token cannot be disabled: its missing variable is an error of its own, named.
  const adminMissing = missing.filter((m) => isUnder(m.path, ['admin']));
  if (adminMissing.length > 0) {
    throw new ConfigInvalidError(source, adminMissing.map((m) => ({ path: formatPath(m.path), message: `environment variable ${m.name} is not set` })));
  }
  const parsed = configFileSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new ConfigInvalidError(source, zodIssues(parsed.error, []));
  const file: ConfigFile = parsed.data;

  const tenants = new Map<string, Consumer[]>();
  const consumers = new Map<string, Consumer>();
  const disabled: string[] = [];
  const secretValues = new Set<string>();
  const warnings: Array<{ path: string; consumerId: string; message: string }> = [];
  const fileSandbox = sandboxSettings(file, options.baseDir, issues);

  for (const [tenant, section] of Object.entries(file.tenants)) {
    // Settings cascade: module options < the file's `defaults` < the tenant's < the consumer's own.
    const defaults: TenantDefaults = {
      retry: { ...options.defaults.retry, ...stripUndefined(file.defaults?.retry ?? {}), ...stripUndefined(section.retry ?? {}) },
      timeoutMs: section.timeoutMs ?? file.defaults?.timeoutMs ?? options.defaults.timeoutMs,
      delivery: { ...DELIVERY_DEFAULTS, ...stripUndefined(file.defaults?.delivery ?? {}), ...stripUndefined(section.delivery ?? {}) },
      circuit: { ...CIRCUIT_DEFAULTS, ...stripUndefined(file.defaults?.circuit ?? {}), ...stripUndefined(section.circuit ?? {}) },
      weight: section.weight ?? 1,
    };
    const cpuBudget = {
      ...SANDBOX_DEFAULTS.cpuBudget,
      ...stripUndefined(file.defaults?.sandbox?.cpuBudget ?? {}),
      ...stripUndefined(section.sandbox?.cpuBudget ?? {}),
    };
    const configEnv: ConfigEnv = { baseDir: options.baseDir, source, sandbox: { ...fileSandbox, cpuBudget } };
    const list: Consumer[] = [];
    tenants.set(tenant, list);
    const sections: Array<[ConsumerKind, 'hooks' | 'connectors']> = [
      ['hook', 'hooks'],
      ['connector', 'connectors'],
    ];
    for (const [kind, key] of sections) {
      section[key].forEach((entry, index) => {
        const at: PropertyKey[] = ['tenants', tenant, key, index];
        const entryMissing = missing.filter((m) => isUnder(m.path, at));
        const compiled = compileEntry(entry, {
          kind,
          tenant,
          at,
          entryMissing,
          configEnv,
          options,
          defaults,
          configTimeoutMs: section.timeoutMs ?? file.defaults?.timeoutMs,
          issues,
        });
        if (!compiled) return;
        if ('disabledId' in compiled) {
          disabled.push(compiled.disabledId);
          return;
        }
        if (consumers.has(compiled.consumer.id)) {
          issues.push({ path: formatPath(at), message: messages.duplicateConsumer(compiled.consumer.id) });
          return;
        }
        if (compiled.disabled) {
          disabled.push(compiled.consumer.id);
          return;
        }
        consumers.set(compiled.consumer.id, compiled.consumer);
        list.push(compiled.consumer);
        for (const message of compiled.consumer.plugin.warnings?.(compiled.consumer.config) ?? []) {
          warnings.push({ path: formatPath(at), consumerId: compiled.consumer.id, message });
        }
        compiled.secrets.forEach((s) => secretValues.add(s));
      });
    }
    settleSharedDestinations(list);
  }
  if (issues.length > 0) throw new ConfigInvalidError(source, issues);
  const adminTokens = file.admin?.tokens ?? [];
  adminTokens.forEach((t) => secretValues.add(t.token));
  return {
    adminTokens,
    source,
    tenants,
    consumers,
    tenantIds: [...tenants.keys()],
    disabled,
    warnings,
    secretValues: [...secretValues].filter((s) => s.length >= 4),
  };
}

/** The file's `sandbox` section with its CA read and its paths resolved; problems go to `issues`. */
function sandboxSettings(file: ConfigFile, baseDir: string, issues: ConfigIssue[]): NonNullable<ConfigEnv['sandbox']> {
  const section = file.sandbox ?? {};
  const out: NonNullable<ConfigEnv['sandbox']> = {};
  if (section.ca !== undefined) {
    try {
      out.ca = readCaOption(section.ca, baseDir, 'sandbox.ca');
    } catch (error) {
      issues.push({ path: 'sandbox.ca', message: (error as Error).message.replace(/^sandbox\.ca(?: \([^)]*\))?: /, '') });
    }
  }
  if (section.resolveFrom !== undefined) out.resolveFrom = resolve(baseDir, section.resolveFrom);
  if (section.strictDependencies !== undefined) out.strictDependencies = section.strictDependencies;
  return out;
}

interface EntryScope {
  kind: ConsumerKind;
  tenant: string;
  at: PropertyKey[];
  entryMissing: MissingEnv[];
  configEnv: ConfigEnv;
  options: LoadOptions & { source: string };
  defaults: TenantDefaults;
  /** A timeout set by the file's `defaults` or the tenant, if any (plugins with their own limits need to know). */
  configTimeoutMs?: number;
  issues: ConfigIssue[];
}

/** A plugin with its own limits: its default, unless the file or tenant set one (kept within its maximum). */
function pluginTimeout(limits: ConnectorPlugin['timeouts'], configTimeoutMs: number | undefined): number | undefined {
  if (!limits) return undefined;
  return Math.min(configTimeoutMs ?? limits.defaultMs, limits.maxMs);
}

function compileEntry(
  entry: Record<string, unknown>,
  scope: EntryScope,
): { consumer: Consumer; secrets: string[]; disabled: boolean } | { disabledId: string } | undefined {
  const { kind, tenant, at, issues, options } = scope;
  // Common fields and the plugin's own are both checked, so one run reports every problem of an entry.
  const common = commonEntrySchema.safeParse(entry, { reportInput: true });
  if (!common.success) issues.push(...zodIssues(common.error, at));
  const type = kind === 'hook' ? HOOK_PLUGIN_TYPE : entry.type;
  const plugin = typeof type === 'string' ? options.registry.get(type) : undefined;
  if (!plugin || (kind === 'connector' && type === HOOK_PLUGIN_TYPE)) {
    const message =
      kind === 'hook'
        ? 'hooks need the sandbox runtime, which is not registered in this app'
        : messages.unknownConnectorType(type, options.registry.types());
    issues.push({ path: formatPath(kind === 'hook' ? at : [...at, 'type']), message });
    return undefined;
  }
  const enabled = common.data?.enabled ?? entry.enabled !== false;
  if (enabled) {
    for (const m of scope.entryMissing) issues.push({ path: formatPath(m.path), message: messages.missingEnv(m.name) });
    if (scope.entryMissing.length > 0) return undefined;
  } else if (scope.entryMissing.length > 0) {
    // Not validated further: its variables only need to exist once it is enabled.
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'type'));
    return { disabledId: `${tenant}/${plugin.type}/${consumerName(common.data?.name, kind, own, plugin.type)}` };
  }

  const limits = plugin.timeouts;
  const explicitTimeout = common.data?.timeoutMs;
  const timeoutTooLong = !!limits && explicitTimeout !== undefined && explicitTimeout > limits.maxMs;
  if (timeoutTooLong) {
    issues.push({ path: formatPath([...at, 'timeoutMs']), message: messages.timeoutTooLong(plugin.type, limits.maxMs) });
  }
  const own = Object.fromEntries(
    Object.entries(entry).filter(([k]) => !(COMMON_ENTRY_KEYS as readonly string[]).includes(k) && k !== 'type'),
  );
  const schema = typeof plugin.config === 'function' ? plugin.config(scope.configEnv) : plugin.config;
  const parsed = schema.safeParse(own, { reportInput: true });
  if (!parsed.success) issues.push(...zodIssues(parsed.error, at));
  if (!parsed.success || !common.success || timeoutTooLong) return undefined;
  const name = consumerName(common.data.name, kind, own, plugin.type);
  const { defaults } = scope;
  const destination = destinationOf(plugin, parsed.data, name, formatPath(at), issues);
  if (destination === undefined) return undefined;
  const circuit = { ...defaults.circuit, ...stripUndefined(common.data.circuit ?? {}) };
  if (circuit.cooldownMs > circuit.maxCooldownMs) circuit.maxCooldownMs = circuit.cooldownMs;
  const consumer: Consumer = {
    id: `${tenant}/${plugin.type}/${name}`,
    tenant,
    kind,
    type: plugin.type,
    name,
    triggers: [POST_USER_REGISTRATION],
    plugin,
    config: parsed.data,
    retry: { ...defaults.retry, ...stripUndefined(common.data.retry ?? {}) },
    timeoutMs: explicitTimeout ?? pluginTimeout(limits, scope.configTimeoutMs) ?? defaults.timeoutMs,
    destination,
    slots: {
      maxInFlight: common.data.maxInFlight ?? defaults.delivery.maxInFlightPerDestination,
      tenantMaxSlots: defaults.delivery.tenantMaxSlots,
      maxWaiting: defaults.delivery.maxWaitingPerDestination,
      weight: defaults.weight,
    },
    circuit,
  };
  const secrets = (plugin.secrets ?? []).flatMap((field) => collectStrings(own[field]));
  return { consumer, secrets, disabled: !enabled };
}

function consumerName(name: string | undefined, kind: ConsumerKind, own: Record<string, unknown>, type: string): string {
  return name ?? (kind === 'hook' ? deriveHookName(own) : type);
}

function deriveHookName(own: Record<string, unknown>): string {
  const script = typeof own.script === 'string' ? own.script : 'hook';
  return (
    script
      .split(/[\\/]/)
      .pop()!
      .replace(/\.[cm]?js$/, '')
      .replace(/[^A-Za-z0-9_.-]/g, '-') || 'hook'
  );
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[]): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: describeZodIssue(issue),
  }));
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `required: expected ${issue.expected}`;
  return issue.message;
}
