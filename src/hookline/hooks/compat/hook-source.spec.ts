import { runInNewContext } from 'node:vm';
import { normalizeHookSource } from './hook-source';
import { HookSourceSyntaxError } from './compat.errors';

/** Evaluates the wrapper with a plain module object (node:vm here; the isolate does the same). */
function load(source: string): unknown {
  const { code } = normalizeHookSource(source, 'hook.js');
  const wrapper = runInNewContext(code) as (...args: unknown[]) => void;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, () => ({}), module, 'hook.js', '/');
  return module.exports;
}

describe('normalizeHookSource', () => {
  it.each([
    ['module.exports = function (user, context, cb) { cb(); };', 'commonjs', 'function', 3],
    ['module.exports = async function (user, context) {};', 'commonjs', 'function', 2],
    ['exports.onExecutePostUserRegistration = async (event, api) => {};', 'commonjs', 'action', 2],
    ['/* terraform */\nfunction (user, context, cb) {\n  cb();\n}\n', 'bare-function', 'function', 3],
    ['async function (user, context) {}', 'bare-function', 'function', 2],
    ["'use strict';\n// notify sales\nfunction (user, context, cb) { cb(); }", 'bare-function', 'function', 3],
    ['function notifySales(user, context, callback) { callback(); }', 'bare-function', 'function', 3],
    ['export default function (user, context, cb) { cb(); }', 'esm', 'function', 3],
    ['export default async (user, context) => {};', 'esm', 'function', 2],
    ['export const onExecutePostUserRegistration = async (event, api) => {};', 'esm', 'action', 2],
  ])('%j → %s', (source, form, shape, arity) => {
    expect(normalizeHookSource(source, 'hook.js').form).toBe(form);
    const exported = load(source) as ((...a: unknown[]) => unknown) & { onExecutePostUserRegistration?: (...a: unknown[]) => unknown };
    const fn = shape === 'action' ? exported.onExecutePostUserRegistration! : exported;
    expect(typeof fn).toBe('function');
    expect(fn.length).toBe(arity);
  });

  it('keeps line numbers of CommonJS and bare-function scripts', () => {
    const source = '// line 1\nfunction (user, context, cb) {\n  throw new Error("line 3");\n}\n';
    const { code } = normalizeHookSource(source, 'hook.js');
    expect(code.split('\n')[2]).toBe('  throw new Error("line 3");');
  });

  it('leaves a script with helper functions and module.exports alone', () => {
    const source = 'function helper() { return 1; }\nmodule.exports = function (u, c, cb) { cb(null, helper()); };';
    expect(normalizeHookSource(source, 'hook.js').form).toBe('commonjs');
    expect(typeof load(source)).toBe('function');
  });

  it('turns ES imports into require() calls of the allow-list', () => {
    const { body } = normalizeHookSource("import axios from 'axios';\nexport default async () => axios;", 'hook.mjs');
    expect(body).toContain('require("axios")');
  });

  it('reports what the ES module transform cannot express as a syntax error with its line', () => {
    const attempt = () => normalizeHookSource("import axios from 'axios';\nawait axios.get('x');\nexport default () => {};", 'hooks/tla.mjs');
    expect(attempt).toThrow(HookSourceSyntaxError);
    expect(attempt).toThrow(/^hooks\/tla\.mjs:2:1: Top-level await is currently not supported with the "cjs" output format$/);
  });

  it('names the file, line and column of a syntax error', () => {
    const attempt = () => normalizeHookSource('module.exports = function (user, context, cb) {\n  cb(;\n};', 'hooks/broken.js');
    expect(attempt).toThrow(HookSourceSyntaxError);
    expect(attempt).toThrow(/^hooks\/broken\.js:2:6: Unexpected token$/);
  });
});
