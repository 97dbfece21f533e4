import { parse, type Node } from 'acorn';
import { compatMessages } from './compat.messages';
import { COMPAT_MODULES, isNodeBuiltin, parseSpecifier } from './compat-modules';
import type { SupportedModule } from './compat-modules';
import { normalizeHookSource } from './hook-source';

/** One require('…') (or import) in a hook script. */
export interface RequireRef {
  /** The string passed to require(); undefined for a computed name. */
  specifier?: string;
  line: number;
  column: number;
}

export interface RequireProblem extends RequireRef {
  severity: 'error' | 'warning';
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

function collect(node: unknown, out: RequireRef[]): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((child) => collect(child, out));
    return;
  }
  const n = node as AnyNode;
  const start = (n.loc as { start: { line: number; column: number } } | undefined)?.start;
  const at = start ? { line: start.line, column: start.column + 1 } : { line: 0, column: 0 };
  const callee = n.callee as AnyNode | undefined;
  if (n.type === 'CallExpression' && callee?.type === 'Identifier' && callee.name === 'require') {
    out.push({ specifier: literalString((n.arguments as AnyNode[])[0]), ...at });
  } else if (n.type === 'ImportDeclaration' || n.type === 'ImportExpression' || (n.type === 'ExportNamedDeclaration' && n.source) || n.type === 'ExportAllDeclaration') {
    out.push({ specifier: literalString(n.source as AnyNode), ...at });
  }
  for (const key of Object.keys(n)) if (key !== 'loc') collect(n[key], out);
}

/** Every require('…') and import of a hook script, in source order, with 1-based line and column. */
export function listRequires(source: string, filename = 'hook.js'): RequireRef[] {
  const options = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true, locations: true } as const;
  let ast: unknown;
  try {
    ast = parse(source, { ...options, sourceType: 'script' });
  } catch {
    try {
      ast = parse(source, { ...options, sourceType: 'module' });
    } catch {
      // A bare function expression: parse what the loader will run (same line numbers), or throw its syntax error.
      ast = parse(normalizeHookSource(source, filename).body, { ...options, sourceType: 'script' });
    }
  }
  const out: RequireRef[] = [];
  collect(ast, out);
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
): RequireProblem[] {
  const supported = modules.map((m) => m.id);
  const problems: RequireProblem[] = [];
  for (const ref of listRequires(source, filename)) {
    const at = { ...ref, message: '' };
    if (ref.specifier === undefined) {
      problems.push({ ...at, severity: 'warning', message: `${filename}:${ref.line}:${ref.column}: ${compatMessages.dynamicRequire()}` });
      continue;
    }
    const { name, version, subpath } = parseSpecifier(ref.specifier);
    const entry = find(modules, name);
    let message: string | undefined;
    let severity: RequireProblem['severity'] = 'error';
    if (!entry) message = compatMessages.notSupported(ref.specifier, isNodeBuiltin(ref.specifier), supported);
    else if (subpath && entry.subpaths !== '*') message = compatMessages.subpathNotSupported(ref.specifier, entry.id);
    else if (version !== undefined && entry.version && version !== entry.version) {
      severity = 'warning';
      message = compatMessages.versionDiffers(ref.specifier, entry.id, entry.version, version);
    }
    if (message) problems.push({ ...at, severity, message: `${filename}:${ref.line}:${ref.column}: ${message}` });
  }
  return problems;
}

/**
 * The ids of `getCompatRuntime().moduleSources` a script needs in its context (supported literal
 * requires only, aliases resolved, each once): evaluate just these before the hook.
 */
export function requiredModuleIds(source: string, filename = 'hook.js'): string[] {
  const ids = new Set<string>();
  for (const ref of listRequires(source, filename)) {
    const entry = ref.specifier === undefined ? undefined : find(COMPAT_MODULES, parseSpecifier(ref.specifier).name);
    if (entry) ids.add(entry.id);
  }
  return [...ids];
}
