import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../usage.error';

/** The trigger Hookline runs. Hooks and Actions of other triggers are skipped (and listed). */
export const POST_USER_REGISTRATION = 'post-user-registration';

/** A Post User Registration Hook or Action read from an export. */
export interface Auth0Script {
  kind: 'hook' | 'action';
  /** Its name in Auth0. */
  name: string;
  enabled: boolean;
  code: string;
  /** Declared npm packages and their versions (Hooks: an object; Actions: a list, made an object here). */
  dependencies: Record<string, string>;
  /** Names of its secrets (their values are never read into the import's output). */
  secrets: string[];
  /** Where its code came from, relative to the export, for the report. */
  file: string;
}

export interface Auth0Export {
  form: 'directory' | 'yaml';
  root: string;
  scripts: Auth0Script[];
  /** Hooks and Actions of other triggers: `hook name (trigger)`. */
  skipped: string[];
}

/** The export is not what auth0-deploy-cli writes (exit code 2). */
export class ExportFormatError extends UsageError {}

type Json = Record<string, unknown>;

/**
 * Reads an auth0-deploy-cli export: the directory form (`hooks/<name>.json` + `<name>.js`,
 * `actions/<name>.json` + `actions/<name>/code.js`, `triggers/triggers.json`) or the YAML form
 * (`tenant.yaml` with `hooks:`, `actions:` and `triggers:`, code files beside it), given the folder or
 * the YAML file.
 */
export function readAuth0Export(path: string, shown: string): Auth0Export {
  if (!existsSync(path)) throw new ExportFormatError(`export not found: ${shown}`);
  if (statSync(path).isFile()) {
    if (!/\.ya?ml$/i.test(path)) throw new ExportFormatError(`${shown}: expected an auth0-deploy-cli export folder or its tenant.yaml`);
    return readYamlForm(path, shown);
  }
  const yamlFile = ['tenant.yaml', 'tenant.yml'].map((f) => join(path, f)).find((f) => existsSync(f));
  const hasDirectory = ['hooks', 'actions'].some((d) => isDirectory(join(path, d)) && readdirSync(join(path, d)).some((f) => f.endsWith('.json')));
  if (hasDirectory) return readDirectoryForm(path, shown);
  if (yamlFile) return readYamlForm(yamlFile, join(shown, basename(yamlFile)));
  throw new ExportFormatError(`${shown}: not an auth0-deploy-cli export (expected hooks/*.json or actions/*.json, or a tenant.yaml)`);
}

function readDirectoryForm(root: string, shown: string): Auth0Export {
  const hooks = jsonFiles(join(root, 'hooks')).map((file) => ({ entry: readJson(file, shown, root), file }));
  const actions = jsonFiles(join(root, 'actions')).map((file) => ({ entry: readJson(file, shown, root), file }));
  const triggersFile = join(root, 'triggers', 'triggers.json');
  const triggers = existsSync(triggersFile) ? readJson(triggersFile, shown, root) : undefined;
  return collect('directory', root, shown, hooks, actions, triggers);
}

function readYamlForm(file: string, shown: string): Auth0Export {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ExportFormatError(`${shown}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isObject(doc)) throw new ExportFormatError(`${shown}: expected a mapping with hooks: and/or actions:`);
  const list = (key: string) => {
    const value = doc[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(isObject)) throw new ExportFormatError(`${shown}: ${key}: expected a list of ${key}`);
    return (value as Json[]).map((entry) => ({ entry, file }));
  };
  const triggers = doc.triggers === undefined ? undefined : isObject(doc.triggers) ? doc.triggers : undefined;
  return collect('yaml', dirname(file), shown, list('hooks'), list('actions'), triggers);
}

function collect(form: Auth0Export['form'], root: string, shown: string, hooks: Array<{ entry: Json; file: string }>, actions: Array<{ entry: Json; file: string }>, triggers: Json | undefined): Auth0Export {
  const scripts: Auth0Script[] = [];
  const skipped: string[] = [];
  const where = (file: string) => relative(root, file) || basename(file);
  for (const { entry, file } of hooks) {
    const name = requireString(entry, 'name', `${shown}: ${where(file)}`);
    const trigger = String(entry.triggerId ?? '');
    if (trigger !== POST_USER_REGISTRATION) {
      skipped.push(`hook ${name} (${trigger || 'no triggerId'})`);
      continue;
    }
    const codePath = locate(requireString(entry, 'script', `${shown}: ${where(file)}`), root, dirname(file), 'hooks', name, shown);
    scripts.push({
      kind: 'hook',
      name,
      enabled: entry.enabled === true,
      code: readFileSync(codePath, 'utf8'),
      dependencies: stringRecord(entry.dependencies, `${shown}: hook ${name}: dependencies`),
      secrets: isObject(entry.secrets) ? Object.keys(entry.secrets) : [],
      file: where(codePath),
    });
  }
  const bound = boundActions(triggers, `${shown}: triggers`);
  for (const { entry, file } of actions) {
    const name = requireString(entry, 'name', `${shown}: ${where(file)}`);
    const triggerIds = Array.isArray(entry.supported_triggers) ? entry.supported_triggers.map((t) => (isObject(t) ? String(t.id) : '')) : [];
    if (!triggerIds.includes(POST_USER_REGISTRATION)) {
      skipped.push(`action ${name} (${triggerIds.join(', ') || 'no supported_triggers'})`);
      continue;
    }
    const codePath = locate(requireString(entry, 'code', `${shown}: ${where(file)}`), root, dirname(file), join('actions', name), 'code', shown);
    scripts.push({
      kind: 'action',
      name,
      // Bound to the trigger is what runs it; an export without triggers keeps what was deployed.
      enabled: bound ? bound.has(name) : entry.deployed !== false,
      code: readFileSync(codePath, 'utf8'),
      dependencies: actionDependencies(entry.dependencies, `${shown}: action ${name}: dependencies`),
      secrets: Array.isArray(entry.secrets) ? entry.secrets.flatMap((s) => (isObject(s) && typeof s.name === 'string' ? [s.name] : [])) : [],
      file: where(codePath),
    });
  }
  // Hooks, then Actions, each by name: both forms give the same order.
  scripts.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'hook' ? -1 : 1));
  return { form, root, scripts, skipped };
}

/** The actions bound to post-user-registration in `triggers` (by action_name or display_name), if the export has triggers. */
function boundActions(triggers: Json | undefined, where: string): Set<string> | undefined {
  if (!triggers) return undefined;
  const bindings = triggers[POST_USER_REGISTRATION];
  if (bindings === undefined) return new Set();
  if (!Array.isArray(bindings)) throw new ExportFormatError(`${where}.${POST_USER_REGISTRATION}: expected a list of bindings`);
  return new Set(bindings.flatMap((b) => (isObject(b) ? [b.action_name, b.display_name].filter((n): n is string => typeof n === 'string') : [])));
}

/**
 * A code file named in the export: relative to the export's root (as auth0-deploy-cli writes it now),
 * to the metadata file's folder, or absolute (older versions); else `<folder>/<name>.js` by convention.
 */
function locate(named: string, root: string, metaDir: string, folder: string, fallback: string, shown: string): string {
  const candidates = isAbsolute(named) ? [named] : [resolve(root, named), resolve(metaDir, named)];
  candidates.push(join(root, folder, `${fallback}.js`), join(root, folder, basename(named)));
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new ExportFormatError(`${shown}: code file ${named} not found (looked in ${[...new Set(candidates.map((c) => relative(root, c) || c))].join(', ')})`);
  return found;
}

function jsonFiles(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir)
    .filter((f) => extname(f) === '.json')
    .sort()
    .map((f) => join(dir, f));
}

function readJson(file: string, shown: string, root: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ExportFormatError(`${shown}: ${relative(root, file)}: invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new ExportFormatError(`${shown}: ${relative(root, file)}: expected a JSON object`);
  return value;
}

function requireString(entry: Json, key: string, where: string): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.length === 0) throw new ExportFormatError(`${where}: expected "${key}" (a string)`);
  return value;
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new ExportFormatError(`${where}: expected an object of package: version`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function actionDependencies(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new ExportFormatError(`${where}: expected a list of { name, version }`);
  return Object.fromEntries(value.flatMap((d) => (isObject(d) && typeof d.name === 'string' ? [[d.name, String(d.version ?? 'latest')]] : [])));
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
