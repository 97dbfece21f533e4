import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { TENANT_ID_PATTERN } from '../hookline/core/events/user-registered.event';
import { readAuth0Export, type Auth0Export } from './import/auth0-export';
import { configFragment, entryName, envExample, secretVariable, type ImportedScript } from './import/import-plan';
import { formatImportReport } from './import/import-report';
import { reportScript } from './import/script-report';
import { EXIT, UsageError } from './usage.error';

export interface ImportOptions {
  out: string;
  tenant?: string;
  force?: boolean;
}

/**
 * `hookline import auth0 <export> --out DIR`: turns the Post User Registration Hooks and Actions of an
 * auth0-deploy-cli export into scripts, a hookline.yaml fragment and a .env.example, and reports per
 * script what it needs. Exit 0: every script runs unchanged; 1: some need work; 2: usage or format.
 */
export async function importAuth0Command(exportArg: string, options: ImportOptions, cwd: string): Promise<number> {
  const exported = readAuth0Export(resolve(cwd, exportArg), exportArg);
  const tenant = tenantId(options.tenant, exported);
  const outDir = resolve(cwd, options.out);
  const imported = plan(exported, tenant, outDir);
  const files = new Map<string, string>([
    ['hookline.yaml', configFragment(tenant, imported, exportArg)],
    ['.env.example', envExample(imported)],
    ...imported.map((item) => [item.path, item.script.code] as [string, string]),
  ]);
  const existing = [...files.keys()].filter((file) => existsSync(join(outDir, file)));
  if (existing.length > 0 && !options.force) {
    throw new UsageError(`${options.out} already has ${existing.join(', ')}; nothing was written (pass --force to overwrite)`);
  }
  for (const [file, text] of files) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    writeFileSync(join(outDir, file), text);
  }
  const shownOut = relative(cwd, outDir) || '.';
  process.stdout.write(formatImportReport(exported, tenant, imported, shownOut));
  return imported.every((item) => item.report.status === 'unchanged') ? EXIT.ok : EXIT.failed;
}

function plan(exported: Auth0Export, tenant: string, outDir: string): ImportedScript[] {
  const taken = new Set<string>();
  return exported.scripts.map((script) => {
    let name = entryName(script.name);
    if (taken.has(name)) name = entryName(`${name}-${script.kind}`);
    for (let i = 2; taken.has(name); i++) name = entryName(`${script.name}-${i}`);
    taken.add(name);
    const path = `hooks/${tenant}/${name}.js`;
    const env = Object.fromEntries(script.secrets.map((secret) => [secret, secretVariable(tenant, name, secret)]));
    // Dependencies resolve from the config file's folder, as they will once the config loads.
    return { script, entryName: name, path, env, report: reportScript(script, path, outDir) };
  });
}

/** `--tenant`, else the export folder's name, as a Hookline tenant id. */
function tenantId(option: string | undefined, exported: Auth0Export): string {
  const candidate = option ?? exported.root.split(/[\\/]/).filter(Boolean).pop()?.toLowerCase().replace(/[^a-z0-9_-]+/g, '-') ?? '';
  if (!TENANT_ID_PATTERN.test(candidate)) {
    const why = option === undefined ? `the export's folder name gives "${candidate}", which` : `--tenant "${option}"`;
    throw new UsageError(`${why} is not a tenant id (lowercase letters, digits, "-" and "_"); pass --tenant ID`);
  }
  return candidate;
}
