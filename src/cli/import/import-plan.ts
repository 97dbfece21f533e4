import type { Auth0Script } from './auth0-export';
import type { ScriptReport } from './script-report';

/** One imported script: its config entry's name, where it is written, and its secrets' variables. */
export interface ImportedScript {
  script: Auth0Script;
  entryName: string;
  /** Relative to the output folder. */
  path: string;
  /** Secret name → environment variable (`<TENANT>_<HOOK>_<SECRET>`). */
  env: Record<string, string>;
  report: ScriptReport;
}

/** `Notify Sales` → `notify-sales`: a config entry name (letters, digits, `-`, `_`, `.`; at most 64). */
export function entryName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 64);
  return slug || 'hook';
}

/** `notifySales`, `notify-sales`, `Notify Sales` → `NOTIFY_SALES`. */
export function upperSnake(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/** The environment variable of a secret: `<TENANT>_<HOOK>_<SECRET>`, upper snake case. */
export function secretVariable(tenant: string, hook: string, secret: string): string {
  return [tenant, hook, secret].map(upperSnake).join('_');
}

const q = (text: string) => JSON.stringify(text);

/** The hookline.yaml fragment: the tenant and one hook entry per script, secrets as `${env:…}` placeholders. */
export function configFragment(tenant: string, imported: ImportedScript[], source: string): string {
  const lines = [
    `# Imported from the Auth0 export ${source} by \`hookline import auth0\`.`,
    '# Secrets are read from the environment: see .env.example. allowHosts lists the hosts the scripts name',
    '# literally; add those their secrets point to (a Slack webhook URL, an API base URL).',
    'tenants:',
    `  ${tenant}:`,
    '    hooks:',
  ];
  if (imported.length === 0) lines[lines.length - 1] += ' []';
  for (const item of imported) {
    const { script, report } = item;
    lines.push(`      # Auth0 ${script.kind} ${q(script.name)}${script.enabled ? '' : ' (disabled in Auth0)'}: ${report.status === 'unchanged' ? 'runs unchanged' : 'needs work, see the import report'}`);
    lines.push(`      - name: ${q(item.entryName)}`);
    lines.push(`        script: ${q(item.path)}`);
    if (!script.enabled) lines.push('        enabled: false');
    const deps = Object.entries(report.dependencies);
    if (deps.length > 0) lines.push(`        dependencies: { ${deps.map(([n, r]) => `${q(n)}: ${q(r)}`).join(', ')} }`);
    const secrets = Object.entries(item.env);
    if (secrets.length > 0) {
      lines.push('        secrets:');
      for (const [name, variable] of secrets) lines.push(`          ${name}: ${q('${env:' + variable + '}')}`);
    }
    if (report.hosts.length > 0) lines.push(`        allowHosts: [${report.hosts.map(q).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

/** `.env.example`: every secret's variable, empty (values stay in Auth0 and your secret store). */
export function envExample(imported: ImportedScript[]): string {
  const lines = ['# Secrets of the imported hooks, one variable each: set them before the config loads.'];
  for (const item of imported) {
    const names = Object.entries(item.env);
    if (names.length === 0) continue;
    lines.push('', `# ${item.entryName} (Auth0 ${item.script.kind} ${q(item.script.name)})`);
    for (const [, variable] of names) lines.push(`${variable}=`);
  }
  return lines.join('\n') + '\n';
}
