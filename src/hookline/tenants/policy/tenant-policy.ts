import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { ConnectorRegistry } from '../../connectors/connector.registry';
import { HOOK_PLUGIN_TYPE } from '../../connectors/connector.registry';
import { formatPath } from '../../config/config-path';
import { isPrivateAddress, normaliseHost, parseAllowHost } from '../../hooks/worker/host-policy';
import { WHOLE_SECRET_REF } from '../secrets/secret-refs';

export interface TenantIssue {
  /** Path inside the written definition: `connectors[0].url`. */
  path: string;
  message: string;
  /** A policy code (ENV_NOT_ALLOWED, SECRET_INLINE, PRIVATE_HOST, SCRIPT_PATH_NOT_ALLOWED), when one applies. */
  code?: string;
}

/** What a tenant writer may not put in a definition, whoever they are. */
const POLICY_CODES = {
  env: 'ENV_NOT_ALLOWED',
  inline: 'SECRET_INLINE',
  privateHost: 'PRIVATE_HOST',
  script: 'SCRIPT_PATH_NOT_ALLOWED',
} as const;

export interface HostPolicy {
  /** Private host names or addresses a store definition may still use (an internal service you trust). */
  allowPrivateHosts: readonly string[];
}

type Entry = Record<string, unknown>;

/**
 * Checks a definition as written (before secrets are filled in): no `${env:…}` anywhere, no hook `script`
 * path, and every field a connector declares secret holds only `${secret:NAME}` references.
 */
export function checkWrittenDefinition(definition: unknown, registry: ConnectorRegistry): TenantIssue[] {
  const issues: TenantIssue[] = [];
  walkStrings(definition, [], (text, path) => {
    if (/\$\{env:/.test(text)) {
      issues.push({ path: formatPath(path), code: POLICY_CODES.env, message: 'environment variables cannot be read by a stored tenant: store the value as a secret and use ${secret:NAME}' });
    }
  });
  const sections: Array<['hooks' | 'connectors', boolean]> = [
    ['hooks', true],
    ['connectors', false],
  ];
  const def = (definition ?? {}) as Record<string, unknown>;
  for (const [key, isHook] of sections) {
    const list = def[key];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: Entry, index) => {
      if (!entry || typeof entry !== 'object') return;
      const at = [key, index];
      if (isHook && 'script' in entry) {
        issues.push({ path: formatPath([...at, 'script']), code: POLICY_CODES.script, message: 'a stored hook carries its code in "source", never a path on the server' });
      }
      const plugin = registry.get(isHook ? HOOK_PLUGIN_TYPE : String(entry.type));
      for (const field of plugin?.secrets ?? []) {
        walkStrings(entry[field], [...at, field], (text, path) => {
          if (!WHOLE_SECRET_REF.test(text)) {
            issues.push({ path: formatPath(path), code: POLICY_CODES.inline, message: 'a secret field takes a reference, not a value: store the value with PUT …/secrets/NAME and write "${secret:NAME}"' });
          }
        });
      }
    });
  }
  return issues;
}

/**
 * Checks every destination of a definition with its secrets filled in: whole-value http(s) URLs and hook
 * `allowHosts`. Loopback, private, link-local and metadata addresses are refused, as literals and as
 * names once resolved (a name that does not resolve now is checked again at delivery).
 */
export async function checkDestinations(definition: unknown, policy: HostPolicy): Promise<TenantIssue[]> {
  const targets: Array<{ host: string; path: string }> = [];
  walkStrings(definition, [], (text, path) => {
    const host = urlHost(text);
    if (host) targets.push({ host, path: formatPath(path) });
  });
  const hooks = (definition as { hooks?: unknown })?.hooks;
  if (Array.isArray(hooks)) {
    hooks.forEach((hook: Entry, i) => {
      const allow = hook?.allowHosts;
      if (!Array.isArray(allow)) return;
      allow.forEach((entry, j) => {
        const rule = typeof entry === 'string' ? parseAllowHost(entry) : undefined;
        if (rule && typeof rule !== 'string' && !rule.wildcard) targets.push({ host: rule.host, path: formatPath(['hooks', i, 'allowHosts', j]) });
      });
    });
  }
  const issues = await Promise.all(targets.map(async (t) => ((await privateReason(t.host, policy)) ? t : undefined)));
  return issues
    .filter((t) => t !== undefined)
    .map((t) => ({ path: t.path, code: POLICY_CODES.privateHost, message: `"${t.host}" is a loopback, private, link-local or metadata address: not reachable from a stored tenant` }));
}

/** The reason a host may not be reached, or undefined. Resolves names (all addresses). */
export async function privateReason(hostname: string, policy: HostPolicy): Promise<string | undefined> {
  const host = normaliseHost(hostname);
  if (policy.allowPrivateHosts.some((h) => normaliseHost(h) === host)) return undefined;
  if (isIP(host)) return isPrivateAddress(host) ? `${host} is a private address` : undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is loopback`;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return undefined; // Not resolvable now: the delivery-time check decides.
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address) && !policy.allowPrivateHosts.includes(a.address));
  return bad ? `${host} resolves to the private address ${bad.address}` : undefined;
}

/** The host of a string that is a whole http(s) URL, else undefined. */
export function urlHost(text: string): string | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    return new URL(text).hostname;
  } catch {
    return undefined;
  }
}

export function walkStrings(value: unknown, path: PropertyKey[], visit: (text: string, path: PropertyKey[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], visit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
}
