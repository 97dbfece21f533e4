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
      { specifier: 'axios', line: 1, column: 15 },
      { specifier: 'slack-notify', line: 3, column: 17 },
      { specifier: undefined, line: 5, column: 3 },
    ]);
  });

  it('reads ES modules and bare functions', () => {
    expect(listRequires("import { request } from 'graphql-request';\nexport default async () => request;")).toEqual([
      { specifier: 'graphql-request', line: 1, column: 1 },
    ]);
    expect(listRequires("function (user, context, cb) {\n  const _ = require(`lodash`);\n  cb();\n}")).toEqual([
      { specifier: 'lodash', line: 2, column: 13 },
    ]);
  });
});

describe('checkRequires', () => {
  const source = [
    "const AWS = require('aws-sdk');",
    "const crypto = require('crypto');",
    "const axios = require('axios@0.19.2');",
    "const get = require('lodash/get');",
    "const rp = require('request-promise-native');",
    "const WebClient = require('@slack/web-api');",
    'require(process.env.X);',
  ].join('\n');

  it('reports unsupported modules as errors and other versions as warnings, with the line', () => {
    const problems = checkRequires(source, 'hooks/acme.js');
    expect(problems.map((p) => [p.severity, p.line])).toEqual([
      ['error', 1],
      ['error', 2],
      ['warning', 3],
      ['error', 6],
      ['warning', 7],
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

  it('has nothing to say about a hook that only uses supported modules', () => {
    expect(checkRequires("const axios = require('axios');\nmodule.exports = async () => axios;")).toEqual([]);
  });
});

describe('requiredModuleIds', () => {
  it('names the module sources a script needs, aliases and versions resolved, unsupported ones left out', () => {
    const source = "const a = require('axios@0.21.1');\nconst b = require('axios');\nrequire('request-promise-native');\nrequire('lodash/get');\nrequire('aws-sdk');";
    expect(requiredModuleIds(source)).toEqual(['axios', 'request-promise', 'lodash']);
  });
});
