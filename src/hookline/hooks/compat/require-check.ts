import { parse, type Node } from 'acorn';
import { compatMessages } from './compat.messages';
import { COMPAT_MODULES, isNodeBuiltin, isProvidedBuiltin, NODE_MODULE_ID, parseSpecifier } from './compat-modules';
import type { SupportedModule } from './compat-modules';
import { normalizeHookSource } from './hook-source';

/** One require('…') (or import) in a hook script. */
export interface RequireRef {
  /** The string passed to require(); undefined for a computed name. */
  specifier?: string;
  line: number;
  column: number;
  /**
   * Reached only on some paths of the module's load, or later: inside a function, a `try`, an `if`, a
   * loop, a `?:`/`&&`/`||`, or a dynamic `import()`. Node would throw for it at run time only.
   */
  conditional: boolean;
}

/** Stable codes of what the static check reports (the Runner's `warnings[].code`). */
type RequireProblemCode =
  | 'MODULE_NOT_SUPPORTED'
  | 'CONDITIONAL_REQUIRE_NOT_SUPPORTED'
  | 'MODULE_VERSION_DIFFERS'
  | 'REQUIRE_COMPUTED_NAME'
  | 'SUBPATH_NOT_SUPPORTED';

export interface RequireProblem extends RequireRef {
  severity: 'error' | 'warning';
  code: RequireProblemCode;
  message: string;
}

interface AnyNode extends Node {
  [key: string]: unknown;
}

function literalString(node: AnyNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0) {
    return ((node.quasis as AnyNode[])[0].value as { cooked: string }).cooked;
  }
  return undefined;
}

/** Nodes under which code runs on some paths only, or later than the module's load. */
const CONDITIONAL_NODES = new Set([
  'FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'TryStatement', 'CatchClause',
  'IfStatement', 'ConditionalExpression', 'LogicalExpression', 'SwitchStatement', 'ForStatement',
  'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement', 'ClassBody', 'ChainExpression',
]);

function collect(node: unknown, out: RequireRef[], conditional: boolean): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((child) => collect(child, out, conditional));
    return;
  }
  const n = node as AnyNode;
  const start = (n.loc as { start: { line: number; column: number } } | undefined)?.start;
  const at = start ? { line: start.line, column: start.column + 1 } : { line: 0, column: 0 };
  const callee = n.callee as AnyNode | undefined;
  if (n.type === 'CallExpression' && callee?.type === 'Identifier' && callee.name === 'require') {
    out.push({ specifier: literalString((n.arguments as AnyNode[])[0]), ...at, conditional });
  } else if (n.type === 'ImportExpression') {
    out.push({ specifier: literalString(n.source as AnyNode), ...at, conditional: true });
  } else if (n.type === 'ImportDeclaration' || (n.type === 'ExportNamedDeclaration' && n.source) || n.type === 'ExportAllDeclaration') {
    out.push({ specifier: literalString(n.source as AnyNode), ...at, conditional: false });
  }
  const inner = conditional || CONDITIONAL_NODES.has(n.type);
  for (const key of Object.keys(n)) if (key !== 'loc') collect(n[key], out, inner);
}

/**
 * A hook script's syntax tree, with locations: as a script, else as a module, else (a bare function
 * expression) what the loader will run, with the same line numbers. Throws the loader's syntax error.
 */
export function parseHookScript(source: string, filename = 'hook.js'): Node {
  const options = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true, locations: true } as const;
  try {
    return parse(source, { ...options, sourceType: 'script' });
  } catch {
    try {
      return parse(source, { ...options, sourceType: 'module' });
    } catch {
      return parse(normalizeHookSource(source, filename).body, { ...options, sourceType: 'script' });
    }
  }
}

/** Every require('…') and import of a hook script, in source order, with 1-based line and column. */
export function listRequires(source: string, filename = 'hook.js'): RequireRef[] {
  const out: RequireRef[] = [];
  collect(parseHookScript(source, filename), out, false);
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function find<M extends { id: string; aliases?: readonly string[] }>(modules: readonly M[], name: string): M | undefined {
  return modules.find((m) => m.id === name || (m.aliases ?? []).includes(name));
}

/**
 * The requires a hook script would fail on (errors) or that resolve to another version than asked
 * (warnings), for the Runner and `hookline validate` to print before the hook runs.
 * `modules` defaults to the allow-list.
 */
export function checkRequires(
  source: string,
  filename = 'hook.js',
  modules: readonly Pick<SupportedModule, 'id' | 'aliases' | 'subpaths' | 'version'>[] = COMPAT_MODULES.map((m) => ({
    id: m.id, aliases: m.aliases ?? [], subpaths: m.subpaths, version: m.version,
  })),
  /** Installed npm packages the hook uses (its dependencies, bundled): required by name, they pass. */
  installed: ReadonlySet<string> = new Set(),
  /** The script's requires, when the caller has them already (see analyseHookSource). */
  refs: readonly RequireRef[] = listRequires(source, filename),
): RequireProblem[] {
  const supported = modules.map((m) => m.id);
  const problems: RequireProblem[] = [];
  for (const ref of refs) {
    const where = `${filename}:${ref.line}:${ref.column}: `;
    if (ref.specifier === undefined) {
      problems.push({ ...ref, severity: 'warning', code: 'REQUIRE_COMPUTED_NAME', message: where + compatMessages.dynamicRequire() });
      continue;
    }
    if (isProvidedBuiltin(ref.specifier)) continue;
    const { name, version, subpath } = parseSpecifier(ref.specifier);
    const entry = find(modules, name);
    if (!entry && installed.has(name) && !ref.specifier.startsWith('node:')) {
      if (subpath) problems.push({ ...ref, severity: ref.conditional ? 'warning' : 'error', code: 'SUBPATH_NOT_SUPPORTED', message: `${where}${compatMessages.subpathNotSupported(ref.specifier, name)}` });
      continue;
    }
    let message: string | undefined;
    let severity: RequireProblem['severity'] = 'error';
    let code: RequireProblemCode = 'MODULE_NOT_SUPPORTED';
    if (!entry) message = compatMessages.notSupported(ref.specifier, isNodeBuiltin(ref.specifier), supported);
    else if (subpath && entry.subpaths !== '*') {
      code = 'SUBPATH_NOT_SUPPORTED';
      message = compatMessages.subpathNotSupported(ref.specifier, entry.id);
    } else if (version !== undefined && entry.version && version !== entry.version) {
      severity = 'warning';
      code = 'MODULE_VERSION_DIFFERS';
      message = compatMessages.versionDiffers(ref.specifier, entry.id, entry.version, version);
    }
    if (!message) continue;
    // As in Node, a require() the hook may never reach (or catches) fails only if it runs: a warning now.
    if (severity === 'error' && ref.conditional) {
      severity = 'warning';
      code = 'CONDITIONAL_REQUIRE_NOT_SUPPORTED';
      message += ' ' + compatMessages.conditionalRequire();
    }
    problems.push({ ...ref, severity, code, message: where + message });
  }
  return problems;
}

/**
 * The ids of `getCompatRuntime().moduleSources` a script needs in its context (supported literal
 * requires only, aliases resolved, each once): evaluate just these before the hook.
 */
export function requiredModuleIds(source: string, filename = 'hook.js', refs: readonly RequireRef[] = listRequires(source, filename)): string[] {
  const ids = new Set<string>();
  // The global Buffer and process come from the built-ins module.
  if (/\b(Buffer|process)\b/.test(source)) ids.add(NODE_MODULE_ID);
  for (const ref of refs) {
    if (ref.specifier !== undefined && isProvidedBuiltin(ref.specifier)) {
      ids.add(NODE_MODULE_ID);
      continue;
    }
    const entry = ref.specifier === undefined ? undefined : find(COMPAT_MODULES, parseSpecifier(ref.specifier).name);
    if (entry) ids.add(entry.id);
  }
  return [...ids];
}
