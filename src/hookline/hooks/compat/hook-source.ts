import { parse, parseExpressionAt, type Node, type Options } from 'acorn';
import { compatMessages } from './compat.messages';
import { HookSourceSyntaxError } from './compat.errors';

/** How the script was written: CommonJS (the sandbox's three forms), a bare function, or an ES module. */
type HookSourceForm = 'commonjs' | 'bare-function' | 'esm';

export interface NormalizedHookSource {
  form: HookSourceForm;
  /** A CommonJS module body: it sets module.exports to a hook function or to { onExecutePostUserRegistration }. */
  body: string;
  /**
   * A function expression `(function (exports, require, module, __filename, __dirname) {...})` around body,
   * with body's first line on line 1 (line numbers of commonjs and bare-function scripts are kept).
   * Evaluate it in the context and pass the result to `__hooklineCompat.loadModule(fn, filename)`.
   */
  code: string;
}

const PARSE: Options = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true, locations: true };
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';

// An ES module's default export becomes module.exports, so the sandbox sees one of its three forms.
const ESM_DEFAULT_EXPORT =
  '\nif (module.exports && module.exports.__esModule && module.exports.onExecutePostUserRegistration === undefined' +
  " && typeof module.exports.default === 'function') module.exports = module.exports.default;\n";

interface AnyNode extends Node {
  [key: string]: unknown;
}

function mentionsModuleOrExports(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(mentionsModuleOrExports);
  const n = node as AnyNode;
  if (n.type === 'Identifier' && (n.name === 'module' || n.name === 'exports')) return true;
  return Object.keys(n).some((key) => key !== 'loc' && mentionsModuleOrExports(n[key]));
}

function tryParse(source: string, sourceType: 'script' | 'module'): { ast?: AnyNode; error?: SyntaxError & { loc?: { line: number; column: number } } } {
  try {
    return { ast: parse(source, { ...PARSE, sourceType }) as unknown as AnyNode };
  } catch (error) {
    return { error: error as SyntaxError & { loc?: { line: number; column: number } } };
  }
}

const USE_STRICT = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])use strict\1;?/;

/**
 * `function (user, context, cb) {...}` or `async (event, api) => {...}` alone in the file (after an
 * optional 'use strict'): the offset where the function starts, or -1.
 */
function bareFunctionExpression(source: string): number {
  const start = USE_STRICT.exec(source)?.[0].length ?? 0;
  try {
    const expression = parseExpressionAt(source, start, PARSE) as AnyNode;
    if (expression.type !== 'FunctionExpression' && expression.type !== 'ArrowFunctionExpression') return -1;
    const rest = parse(source.slice(expression.end), { ...PARSE, sourceType: 'script' }) as unknown as AnyNode;
    return (rest.body as AnyNode[]).every((statement) => statement.type === 'EmptyStatement') ? expression.start : -1;
  } catch {
    return -1;
  }
}

/** A script with no module.exports whose last top-level statement declares (or is) the hook function. */
function bareFunctionStatement(ast: AnyNode): string | undefined {
  if (mentionsModuleOrExports(ast)) return undefined;
  const statements = (ast.body as AnyNode[]).filter((s) => s.type !== 'EmptyStatement');
  const last = statements[statements.length - 1];
  if (!last) return undefined;
  if (last.type === 'FunctionDeclaration') return `\n;module.exports = ${(last.id as AnyNode).name as string};\n`;
  return undefined;
}

/** esbuild's ES module → CommonJS transform; what it cannot express (top-level await) is a syntax error. */
function esmToCommonJs(source: string, filename: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  try {
    return esbuild.transformSync(source, { loader: 'js', format: 'cjs', target: 'es2022', sourcefile: filename }).code;
  } catch (error) {
    const [first] = (error as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors ?? [];
    const line = first?.location?.line ?? 1;
    const column = (first?.location?.column ?? 0) + 1;
    throw new HookSourceSyntaxError(compatMessages.syntax(filename, line, column, first?.text ?? String(error)), filename, line, column);
  }
}

function wrap(form: HookSourceForm, body: string): NormalizedHookSource {
  return { form, body, code: `${WRAPPER_HEAD}${body}\n})` };
}

/**
 * Turns every accepted hook form into one CommonJS body: `module.exports = function (user, context, cb)`,
 * `module.exports = async function`, `exports.onExecutePostUserRegistration = ...`, a bare
 * `function (user, context, cb) {...}` (Auth0's Terraform examples) or a lone named function, and ES modules
 * (`export default`, `export const onExecutePostUserRegistration`, `import x from 'axios'`).
 * Throws HookSourceSyntaxError naming the file, line and column when no form parses.
 */
export function normalizeHookSource(source: string, filename: string): NormalizedHookSource {
  const script = tryParse(source, 'script');
  if (script.ast) {
    const exportLine = bareFunctionStatement(script.ast);
    return exportLine ? wrap('bare-function', source + exportLine) : wrap('commonjs', source);
  }
  const functionStart = bareFunctionExpression(source);
  if (functionStart >= 0) {
    return wrap('bare-function', `${source.slice(0, functionStart)}module.exports = ${source.slice(functionStart)}\n`);
  }
  const esm = tryParse(source, 'module');
  if (esm.ast) {
    return wrap('esm', esmToCommonJs(source, filename) + ESM_DEFAULT_EXPORT);
  }
  const loc = script.error?.loc ?? { line: 1, column: 0 };
  const detail = (script.error?.message ?? 'syntax error').replace(/ \(\d+:\d+\)$/, '');
  throw new HookSourceSyntaxError(compatMessages.syntax(filename, loc.line, loc.column + 1, detail), filename, loc.line, loc.column + 1);
}
