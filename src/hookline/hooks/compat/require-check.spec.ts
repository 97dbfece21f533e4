import { checkRequires, listRequires, requiredModuleIds } from './require-check';

describe('listRequires', () => {
  it('lists require() calls and imports with 1-based line and column', () => {
    const source = [
      "const axios = require('axios');",
      'module.exports = function (user, context, cb) {',
      "  const slack = require('slack-notify')(context.webtask.secrets.SLACK);",
      '  const name = "request";',
      '  require(name);',
      '  cb();',
      '};',
    ].join('\n');
    expect(listRequires(source)).toEqual([
      { specifier: 'axios', line: 1, column: 15, conditional: false },
      { specifier: 'slack-notify', line: 3, column: 17, conditional: true },
      { specifier: undefined, line: 5, column: 3, conditional: true },
    ]);
  });

  it('reads ES modules and bare functions', () => {
    expect(listRequires("import { request } from 'graphql-request';\nexport default async () => request;")).toEqual([
      { specifier: 'graphql-request', line: 1, column: 1, conditional: false },
    ]);
    expect(listRequires("function (user, context, cb) {\n  const _ = require(`lodash`);\n  cb();\n}")).toEqual([
      { specifier: 'lodash', line: 2, column: 13, conditional: true },
    ]);
  });

  it('tells conditional requires (function, try, if, ?:, ||, loop, import()) from top-level unconditional ones', () => {
    const source = [
      "const a = require('a');",
      "try { require('b'); } catch (e) {}",
      "if (process.env.X) require('c');",
      "const d = globalThis.D || require('d');",
      "const e = () => require('e');",
      "for (const n of []) require('f');",
      "import('g').catch(() => {});",
      "const h = true ? require('h') : null;",
      "module.exports = { i: require('i') };",
    ].join('\n');
    expect(listRequires(source).map((r) => [r.specifier, r.conditional])).toEqual([
      ['a', false], ['b', true], ['c', true], ['d', true], ['e', true], ['f', true], ['g', true], ['h', true], ['i', false],
    ]);
  });
});

describe('checkRequires', () => {
  const source = [
    "const AWS = require('aws-sdk');",
    "const fs = require('fs');",
    "const axios = require('axios@0.19.2');",
    "const get = require('lodash/get');",
    "const rp = require('request-promise-native');",
    "const WebClient = require('@slack/web-api');",
    'require(process.env.X);',
    "const crypto = require('node:crypto');",
  ].join('\n');

  it('reports unsupported modules as errors and other versions as warnings, with the line; provided built-ins pass', () => {
    const problems = checkRequires(source, 'hooks/acme.js');
    expect(problems.map((p) => [p.severity, p.code, p.line])).toEqual([
      ['error', 'MODULE_NOT_SUPPORTED', 1],
      ['error', 'MODULE_NOT_SUPPORTED', 2],
      ['warning', 'MODULE_VERSION_DIFFERS', 3],
      ['error', 'MODULE_NOT_SUPPORTED', 6],
      ['warning', 'REQUIRE_COMPUTED_NAME', 7],
    ]);
    expect(problems[0].message).toBe(
      'hooks/acme.js:1:13: Cannot require "aws-sdk" in a Hookline hook: this module is not supported. Supported modules: ' +
        'axios, @slack/webhook, graphql-request, lodash, node-fetch, request, request-promise, slack-notify. ' +
        'See docs/migrating-from-auth0.md for workarounds.',
    );
    expect(problems[1].message).toContain('Node built-in modules are not available in the sandbox');
    expect(problems[2].message).toMatch(/^hooks\/acme\.js:3:15: require\('axios@0\.19\.2'\): Hookline provides axios \S+; using it instead of 0\.19\.2$/);
    expect(problems[4].message).toContain('computed name');
  });

  it('reports a conditional require of an unsupported module as a warning with its line', () => {
    const guarded = "let sharp;\ntry {\n  sharp = require('sharp');\n} catch (e) {}\nmodule.exports = function (u, c, cb) { const AWS = require('aws-sdk'); cb(); };";
    const problems = checkRequires(guarded, 'hooks/opt.js');
    expect(problems.map((p) => [p.severity, p.code, p.line, p.column])).toEqual([
      ['warning', 'CONDITIONAL_REQUIRE_NOT_SUPPORTED', 3, 11],
      ['warning', 'CONDITIONAL_REQUIRE_NOT_SUPPORTED', 5, 52],
    ]);
    expect(problems[0].message).toMatch(/^hooks\/opt\.js:3:11: Cannot require "sharp" in a Hookline hook: this module is not supported\..*It is conditional .*'MODULE_NOT_FOUND'/);
  });

  it('has nothing to say about a hook that only uses supported modules', () => {
    expect(checkRequires("const axios = require('axios');\nmodule.exports = async () => axios;")).toEqual([]);
  });
});

describe('requiredModuleIds', () => {
  it('names the module sources a script needs, aliases and versions resolved, unsupported ones left out', () => {
    const source = "const a = require('axios@0.21.1');\nconst b = require('axios');\nrequire('request-promise-native');\nrequire('lodash/get');\nrequire('aws-sdk');";
    expect(requiredModuleIds(source)).toEqual(['axios', 'request-promise', 'lodash']);
  });

  it("adds the built-ins module for a required built-in or a script naming Buffer or process", () => {
    expect(requiredModuleIds("const c = require('node:crypto');")).toEqual(['node']);
    expect(requiredModuleIds("module.exports = async () => Buffer.from('a:b').toString('base64');")).toEqual(['node']);
    expect(requiredModuleIds('module.exports = async () => 1;')).toEqual([]);
  });
});
