import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { compileFunction } from 'node:vm';
import { COMPAT_MODULES, NODE_MODULE_ID } from './compat-modules';
import { HookSourceSyntaxError } from './compat.errors';
import { normalizeHookSource } from './hook-source';
import { checkRequires, listRequires, requiredModuleIds, type RequireProblem, type RequireRef } from './require-check';
import { resolveHookDependencies, type DependencyOptions } from './dependencies';
import { supportedModules } from './compat-bundler';
import { dirname } from 'node:path';
import { SANDBOX_LIMITS } from '../host/sandbox.limits';
import type { HookScript } from '../host/sandbox.types';

/**
 * A hook script that cannot be used: unreadable, too large, not valid JavaScript (`syntax`), or
 * requiring a module the sandbox does not provide (`require`, one line per require: `file:line:column: ...`).
 */
export class HookScriptError extends Error {
  override readonly name = 'HookScriptError';
  constructor(
    message: string,
    readonly reason: 'read' | 'syntax' | 'require' | 'dependency' = 'read',
  ) {
    super(message);
  }
}

/** A script as the sandbox loads it: every accepted form as one CommonJS wrapper, and the modules it requires. */
export interface PreparedHookSource {
  /** `(function (exports, require, module, __filename, __dirname) {...})`, line numbers kept (ES modules: close). */
  code: string;
  /** The compatibility modules to register in its context (all of them when a require() name is computed). */
  modules: string[];
}

/**
 * Throws HookSourceSyntaxError (file:line:column) when no accepted form parses. `dependencies`: the
 * module ids of the npm packages it uses (bundled), registered after the built-ins they rely on.
 */
export function prepareHookSource(source: string, filename: string, dependencies: readonly string[] = []): PreparedHookSource {
  const { code, modules } = analyseHookSource(source, filename, { dependencies });
  return { code, modules };
}

/** What one parse of a script tells: the code the sandbox loads, the modules its context needs, the problems of its requires. */
export interface HookAnalysis extends PreparedHookSource {
  refs: RequireRef[];
  problems: RequireProblem[];
}

/**
 * Analyses a script once: its form (normalized into the CommonJS wrapper), its requires (listed once),
 * and from them the problems to report and the modules to register. Throws HookSourceSyntaxError when
 * no accepted form parses.
 */
export function analyseHookSource(
  source: string,
  filename: string,
  options: { dependencies?: readonly string[]; installed?: ReadonlySet<string>; refs?: RequireRef[] } = {},
): HookAnalysis {
  const { code } = normalizeHookSource(source, filename);
  const refs = options.refs ?? listRequires(source, filename);
  const problems = checkRequires(source, filename, undefined, options.installed, refs);
  const computed = refs.some((ref) => ref.specifier === undefined);
  const modules = computed ? [...COMPAT_MODULES.map((m) => m.id), NODE_MODULE_ID] : requiredModuleIds(source, filename, refs);
  const dependencies = options.dependencies ?? [];
  if (dependencies.length > 0 && !modules.includes(NODE_MODULE_ID)) modules.push(NODE_MODULE_ID);
  return { code, modules: [...modules, ...dependencies], refs, problems };
}

/** Where a script's npm packages resolve from and which it declares (the Runner: its own folder, none declared). */
export type ScriptDependencyOptions = Omit<DependencyOptions, 'hook' | 'provided'>;

/**
 * Reads a script and checks its syntax without running it (node:vm only parses here: no code of the
 * script executes in the app). The message names the file and the line.
 */
export function readHookScript(path: string, displayName = path, deps?: ScriptDependencyOptions): HookScript {
  let source: string;
  try {
    if (statSync(path).size > SANDBOX_LIMITS.maxScriptBytes) {
      throw new HookScriptError(`${displayName} is larger than ${SANDBOX_LIMITS.maxScriptBytes} bytes`, 'read');
    }
    source = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof HookScriptError) throw error;
    throw new HookScriptError(`cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return analyseHookScript(source, displayName, deps, dirname(path));
}

/**
 * Checks a script's text (syntax, required modules) without running it: the analysis of a file,
 * for scripts that come as text (a hook's `source` in the tenant store).
 */
function analyseHookScript(source: string, displayName: string, deps?: ScriptDependencyOptions, baseDir = process.cwd()): HookScript {
  if (Buffer.byteLength(source) > SANDBOX_LIMITS.maxScriptBytes) {
    throw new HookScriptError(`${displayName} is larger than ${SANDBOX_LIMITS.maxScriptBytes} bytes`, 'read');
  }
  checkSyntax(source, displayName);
  const refs = listRequires(source, displayName);
  const requires = refs.flatMap((r) => (r.specifier === undefined ? [] : [r.specifier]));
  const resolved = resolveHookDependencies(requires, {
    hook: displayName,
    declared: deps?.declared ?? {},
    resolveFrom: deps?.resolveFrom ?? baseDir,
    strict: deps?.strict,
    provided: supportedModules(),
  });
  const dependencyErrors = resolved.problems.filter((p) => p.severity === 'error').map((p) => p.message);
  if (dependencyErrors.length > 0) throw new HookScriptError(dependencyErrors.join('\n'), 'dependency');
  const analysis = analyseSyntaxChecked(source, displayName, { dependencies: resolved.dependencies.map((d) => d.id), installed: resolved.installed, refs });
  const problems = analysis.problems;
  const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
  if (errors.length > 0) throw new HookScriptError(errors.join('\n'), 'require');
  const dependencyWarnings = resolved.problems.map((p) => {
    const ref = p.package ? refs.find((r) => r.specifier === p.package || r.specifier?.startsWith(`${p.package}/`)) : undefined;
    return { code: p.code, message: ref ? `${displayName}:${ref.line}:${ref.column}: ${p.message}` : p.message, line: ref?.line ?? 0, column: ref?.column ?? 0 };
  });
  const all = [...problems.map((p) => ({ code: p.code as string, message: p.message, line: p.line, column: p.column })), ...dependencyWarnings];
  const hash = createHash('sha256').update(source);
  for (const d of resolved.dependencies) hash.update('\0' + d.id);
  return {
    filename: displayName,
    source,
    hash: hash.digest('hex'),
    warnings: all.map((p) => p.message),
    problems: all,
    prepared: { code: analysis.code, modules: analysis.modules },
    ...(resolved.dependencies.length > 0 ? { dependencies: resolved.dependencies.map(({ id, name, version, source: code }) => ({ id, name, version, source: code })) } : {}),
  };
}

/** The analysis of a script whose syntax checkSyntax accepted (a form it reads but acorn does not is reported as such). */
function analyseSyntaxChecked(source: string, filename: string, options: Parameters<typeof analyseHookSource>[2]): HookAnalysis {
  try {
    return analyseHookSource(source, filename, options);
  } catch (error) {
    if (error instanceof HookSourceSyntaxError) throw new HookScriptError(error.message, 'syntax');
    throw error;
  }
}

/**
 * Checks the script's syntax without running it. A CommonJS script is compiled as a function body
 * (node:vm only parses here: no code of the script runs in the app; a stray `}` cannot close the
 * wrapper); the other forms Auth0 accepted (a bare function, an ES module) are parsed as such.
 */
export function checkSyntax(source: string, filename: string): void {
  try {
    compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  } catch (error) {
    try {
      normalizeHookSource(source, filename);
      return;
    } catch (other) {
      if (!(other instanceof HookSourceSyntaxError)) throw other;
    }
    const line = Number(/:(\d+)\s*$/m.exec(String((error as Error).stack).split('\n')[0])?.[1]);
    const where = !line ? '' : line > source.split('\n').length ? ' at the end of the file' : ` line ${line}`;
    throw new HookScriptError(`${filename}${where}: ${(error as Error).name}: ${(error as Error).message}`, 'syntax');
  }
}

/** A script on disk, re-read (and re-checked) when its modification time changes. */
export class HookScriptFile {
  /** The file's modification time is looked at most this often (a stat per delivery adds up). */
  static checkEveryMs = 1_000;
  private mtimeMs: number;
  private checkedAt = Date.now();
  private script: HookScript;

  constructor(
    readonly path: string,
    readonly displayName: string,
    private readonly deps?: ScriptDependencyOptions,
  ) {
    this.mtimeMs = statMtime(path);
    this.script = readHookScript(path, displayName, deps);
  }

  /** The current version. Throws HookScriptError when the file changed into something unusable. */
  current(): HookScript {
    const now = Date.now();
    if (now - this.checkedAt < HookScriptFile.checkEveryMs) return this.script;
    this.checkedAt = now;
    const mtimeMs = statMtime(this.path);
    if (mtimeMs !== this.mtimeMs) {
      this.script = readHookScript(this.path, this.displayName, this.deps);
      this.mtimeMs = mtimeMs;
    }
    return this.script;
  }
}

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** A script given as text (a stored hook's `source`), analysed once. */
export class HookScriptText {
  private readonly script: HookScript;

  constructor(
    source: string,
    readonly displayName: string,
  ) {
    this.script = analyseHookScript(source, displayName);
  }

  current(): HookScript {
    return this.script;
  }
}
