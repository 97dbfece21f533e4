import { satisfies, validRange } from 'semver';
import { COMPAT_MODULES, isNodeBuiltin, isProvidedBuiltin, parseSpecifier } from '../../hookline/hooks/compat/compat-modules';
import { bundleDependency, findInstalled } from '../../hookline/hooks/compat/dependencies';
import { checkSyntax, HookScriptError } from '../../hookline/hooks/compat/hook-script';
import { checkRequires, listRequires, type RequireRef } from '../../hookline/hooks/compat/require-check';
import { tryBlocks, within } from './try-blocks';
import { parseAllowHost } from '../../hookline/hooks/worker/host-policy';
import type { Auth0Script } from './auth0-export';

/** What one imported script needs before it runs in Hookline. */
export interface ScriptReport {
  /** `unchanged`: it runs as it is; `needs-work`: packages to install, or something unsupported. */
  status: 'unchanged' | 'needs-work';
  /** npm packages to install where the config resolves them (`npm i name@range`). */
  installs: Array<{ name: string; range: string }>;
  /** What cannot run, with its line (0: the whole script). */
  unsupported: Array<{ line: number; message: string }>;
  /** Worth knowing, runs anyway (a guarded require, another version of a provided module). */
  notes: string[];
  /** Hosts its literal URLs name: an `allowHosts` suggestion. */
  hosts: string[];
  /** The `dependencies` of its config entry. */
  dependencies: Record<string, string>;
}

/** Packages that cannot run in the sandbox whatever the version (sockets, addons, files), with what to do instead. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  'aws-sdk': "AWS SDK v2 needs Node's http, fs and credential files (the v3 @aws-sdk/client-* packages too): sign the service's HTTP API call with aws4 (pure JavaScript) and send it with fetch, keys from secrets",
  bcrypt: 'a compiled addon: use bcryptjs (pure JavaScript)',
  mongodb: 'raw TCP sockets: put an HTTP endpoint in front of the database (or use its Data API)',
  mongoose: 'raw TCP sockets: put an HTTP endpoint in front of the database',
  pg: 'raw TCP sockets: put an HTTP endpoint in front of the database',
  mysql: 'raw TCP sockets: put an HTTP endpoint in front of the database',
  mysql2: 'raw TCP sockets: put an HTTP endpoint in front of the database',
  redis: 'raw TCP sockets: use an HTTP API (e.g. Upstash REST) or your own endpoint',
  ioredis: 'raw TCP sockets: use an HTTP API (e.g. Upstash REST) or your own endpoint',
  nodemailer: "SMTP needs raw sockets: use your mail provider's HTTP API",
};

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const URL_HOST = /\bhttps?:\/\/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+(?::\d{1,5})?)/g;

/**
 * Checks a script with Hookline's own analysis (syntax, the require check, the dependency bundler for
 * packages already installed under `resolveFrom`), without running it.
 */
export function reportScript(script: Auth0Script, shown: string, resolveFrom: string): ScriptReport {
  const report: ScriptReport = { status: 'unchanged', installs: [], unsupported: [], notes: [], hosts: literalHosts(script.code), dependencies: {} };
  for (const name of script.secrets.filter((s) => !SECRET_NAME.test(s))) {
    report.unsupported.push({ line: 0, message: `secret "${name}": Hookline secret names are letters, digits and "_"; rename it in the script and the config` });
  }
  try {
    checkSyntax(script.code, shown);
  } catch (error) {
    if (!(error instanceof HookScriptError)) throw error;
    report.unsupported.push({ line: 0, message: error.message });
    return finish(report);
  }
  const refs = listRequires(script.code, shown);
  // Inside the hook's function a require runs on every call: only one in a try block is guarded.
  const blocks = tryBlocks(script.code, shown);
  const guarded = (ref: Pick<RequireRef, 'line' | 'column'>) => blocks.some((b) => within(b, ref.line, ref.column));
  const provided = (name: string) => COMPAT_MODULES.find((m) => m.id === name || (m.aliases ?? []).includes(name));
  const packages = new Map<string, { range: string; line: number; conditional: boolean }>();
  for (const ref of refs) {
    if (ref.specifier === undefined || isProvidedBuiltin(ref.specifier) || isNodeBuiltin(ref.specifier)) continue;
    const { name, version } = parseSpecifier(ref.specifier);
    const own = provided(name);
    if (own) {
      const declared = script.dependencies[name];
      if (declared && validRange(declared) && !satisfies(own.version, declared)) report.notes.push(`line ${ref.line}: Auth0 declared ${name} ${declared}; the sandbox provides ${name} ${own.version}`);
      continue;
    }
    if (packages.has(name)) continue;
    const known = KNOWN_UNSUPPORTED[name];
    if (known) {
      const message = `require("${ref.specifier}"): ${known}`;
      if (guarded(ref)) report.notes.push(`line ${ref.line}: ${message} (in a try block: throws MODULE_NOT_FOUND there if reached)`);
      else report.unsupported.push({ line: ref.line, message });
      continue;
    }
    packages.set(name, { range: script.dependencies[name] ?? version ?? '*', line: ref.line, conditional: ref.conditional });
  }
  // The sandbox's own verdict on every require, with the npm packages counted as installed.
  for (const problem of checkRequires(script.code, shown, undefined, new Set([...packages.keys(), ...Object.keys(KNOWN_UNSUPPORTED)]), refs)) {
    if (problem.severity === 'error' || (problem.code === 'CONDITIONAL_REQUIRE_NOT_SUPPORTED' && !guarded(problem))) report.unsupported.push({ line: problem.line, message: problem.message.replace(`${shown}:${problem.line}:${problem.column}: `, '') });
    else report.notes.push(`line ${problem.line}: ${problem.message.replace(`${shown}:${problem.line}:${problem.column}: `, '')}`);
  }
  for (const [name, { range, line }] of packages) checkPackage(report, name, range, line, resolveFrom);
  const unused = Object.keys(script.dependencies).filter((name) => !packages.has(name) && !provided(name) && !(name in KNOWN_UNSUPPORTED));
  if (unused.length > 0) report.notes.push(`declared in Auth0 but never required (left out): ${unused.join(', ')}`);
  return finish(report);
}

/** An npm package: installed and bundling (nothing to do), installed but unusable, or to install. */
function checkPackage(report: ScriptReport, name: string, range: string, line: number, resolveFrom: string): void {
  report.dependencies[name] = range;
  const installed = findInstalled(name, resolveFrom);
  const fits = installed && (range === '*' || (validRange(range) !== null && satisfies(installed.version, range, { includePrerelease: true })));
  if (!installed || !fits) {
    report.installs.push({ name, range });
    return;
  }
  const bundled = bundleDependency(installed, true);
  for (const problem of bundled.problems) {
    if (problem.severity === 'error') report.unsupported.push({ line, message: problem.message });
    else report.notes.push(`line ${line}: ${problem.message}`);
  }
}

function finish(report: ScriptReport): ScriptReport {
  report.status = report.installs.length > 0 || report.unsupported.length > 0 ? 'needs-work' : 'unchanged';
  return report;
}

/** Hosts named by literal http(s) URLs in the code (placeholders such as YOUR_DOMAIN fail the host check and are left out). */
export function literalHosts(code: string): string[] {
  const hosts = new Set<string>();
  for (const match of code.matchAll(URL_HOST)) {
    const host = match[1].toLowerCase();
    if (typeof parseAllowHost(host) !== 'string') hosts.add(host);
  }
  return [...hosts].sort();
}
