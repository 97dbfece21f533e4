import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig } from '../config/config.loader';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { DeliveryTimeoutError, PermanentError, RetryableError } from '../core/errors/delivery.errors';
import { ConfigInvalidError } from '../core/errors/config-invalid.error';
import { DEFAULT_RETRY } from '../core/retry/retry.policy';
import { createHookPlugin, throwUnlessOk, type HookConfig } from './hook.plugin';
import { HookScriptFile } from './compat/hook-script';
import type { HookInvocation, InvocationResult, Sandbox } from './host/sandbox.types';

/** Records invocations; the real sandbox is exercised by the pool and security specs. */
class RecordingSandbox implements Sandbox {
  readonly calls: HookInvocation[] = [];
  async invoke(invocation: HookInvocation): Promise<InvocationResult> {
    this.calls.push(invocation);
    return { status: 'ok', response: null, error: null, logs: [], durationMs: 1 };
  }
  async close(): Promise<void> {}
}

describe('hook plugin', () => {
  let dir: string;
  const sandbox = new RecordingSandbox();
  const registry = new ConnectorRegistry([createHookPlugin(sandbox)]);
  const compile = (hooks: unknown[]) =>
    compileConfig({ tenants: { acme: { hooks } } }, {
      registry,
      defaults: { retry: { ...DEFAULT_RETRY }, timeoutMs: 60_000 },
      source: 'hookline.yaml',
      baseDir: dir,
    });
  const issuesOf = (hooks: unknown[]) => {
    try {
      compile(hooks);
    } catch (error) {
      if (error instanceof ConfigInvalidError) return error.issues;
      throw error;
    }
    throw new Error('expected the config to be invalid');
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-hook-'));
    writeFileSync(join(dir, 'ok.js'), 'module.exports = function (user, context, cb) { cb(); };');
    writeFileSync(join(dir, 'broken.js'), 'module.exports = function (user) {\n  const x = ;\n};');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles a hook entry with its defaults: 10 s timeout, 64 MB, no hosts', () => {
    const config = compile([{ script: 'ok.js', secrets: { KEY: 'value-1234' } }]);
    const consumer = config.consumers.get('acme/hook/ok')!;
    expect(consumer).toMatchObject({ kind: 'hook', timeoutMs: 10_000 });
    expect(consumer.config).toMatchObject({ memoryMb: 64, allowHosts: [], secrets: { KEY: 'value-1234' } });
    expect(config.secretValues).toEqual(['value-1234']);
  });

  it("takes a tenant's timeout within the hook maximum", () => {
    const config = (timeoutMs: number) =>
      compileConfig({ tenants: { acme: { timeoutMs, hooks: [{ script: 'ok.js' }] } } }, {
        registry,
        defaults: { retry: { ...DEFAULT_RETRY }, timeoutMs: 60_000 },
        source: 'hookline.yaml',
        baseDir: dir,
      }).consumers.get('acme/hook/ok')!.timeoutMs;
    expect(config(5_000)).toBe(5_000);
    expect(config(120_000)).toBe(30_000);
  });

  it('reports a syntax error as a config issue naming the file and the line', () => {
    const [issue] = issuesOf([{ name: 'b', script: 'broken.js' }]);
    expect(issue.path).toBe('tenants.acme.hooks[0].script');
    expect(issue.message).toMatch(/broken\.js line 2: SyntaxError: Unexpected token/);
  });

  it('reports an unsupported require() as a config issue naming the file and the line; accepts the other Auth0 forms', () => {
    writeFileSync(join(dir, 'aws.js'), "const axios = require('axios');\n\nconst { S3 } = require('aws-sdk');\nmodule.exports = async () => {};\n");
    writeFileSync(join(dir, 'bare.js'), 'function (user, context, cb) {\n  cb();\n}\n');
    writeFileSync(join(dir, 'esm.mjs'), "import axios from 'axios';\nexport default async function (user) { await axios.post('https://x.example', user); }\n");
    const [issue] = issuesOf([{ name: 'a', script: 'aws.js' }]);
    expect(issue.path).toBe('tenants.acme.hooks[0].script');
    expect(issue.message).toMatch(/aws\.js:3:16: Cannot require "aws-sdk" in a Hookline hook: this module is not supported\. Supported modules: axios, /);
    const config = compile([{ script: 'bare.js' }, { script: 'esm.mjs' }]);
    expect([...config.consumers.keys()]).toEqual(['acme/hook/bare', 'acme/hook/esm']);
  });

  it.each([
    [{ script: 'missing.js' }, 'tenants.acme.hooks[0].script', /cannot read .*missing\.js: ENOENT/],
    [{ script: 'ok.js', timeoutMs: 30_001 }, 'tenants.acme.hooks[0].timeoutMs', /at most 30000 ms for a hook/],
    [{ script: 'ok.js', memoryMb: 4 }, 'tenants.acme.hooks[0].memoryMb', /8/],
    [{ script: 'ok.js', allowHosts: ['http://x.com'] }, 'tenants.acme.hooks[0].allowHosts[0]', /expected a host name/],
    [{ script: 'ok.js', secrets: { 'bad-name': 'x' } }, 'tenants.acme.hooks[0].secrets.bad-name', /secret name/],
    [{ script: 'ok.js', shell: true }, 'tenants.acme.hooks[0]', /unknown field shell/],
  ])('rejects %j', (entry, path, message) => {
    const issues = issuesOf([entry]);
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
  });

  it('runs the current version of the script, re-read when the file changes', async () => {
    HookScriptFile.checkEveryMs = 0;
    const file = join(dir, 'live.js');
    writeFileSync(file, 'module.exports = async () => 1;');
    const consumer = compile([{ script: 'live.js' }]).consumers.get('acme/hook/live')!;
    const config = consumer.config as HookConfig;
    const before = config.script.current().hash;
    writeFileSync(file, 'module.exports = async () => 2;');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(config.script.current().hash).not.toBe(before);
    writeFileSync(file, 'module.exports = async () => {');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    expect(() => config.script.current()).toThrow(/live\.js line 1: SyntaxError: Unexpected end of input/);
  });
});

describe('throwUnlessOk (classification)', () => {
  const result = (status: InvocationResult['status'], crashed = false): InvocationResult => ({
    status,
    response: null,
    error: { name: 'Error', message: 'x' },
    logs: [],
    durationMs: 1,
    ...(crashed ? { crashed } : {}),
  });
  it.each([
    ['error', false, PermanentError, 'HOOK_FAILED'],
    ['error', true, RetryableError, 'SANDBOX_CRASHED'],
    ['timeout', false, DeliveryTimeoutError, 'DELIVERY_TIMEOUT'],
    ['memory_limit', false, PermanentError, 'HOOK_MEMORY_LIMIT'],
  ] as const)('%s (crashed: %s) → %p', (status, crashed, type, code) => {
    expect(() => throwUnlessOk(result(status, crashed), 1000)).toThrow(type);
    try {
      throwUnlessOk(result(status, crashed), 1000);
    } catch (error) {
      expect((error as { code: string }).code).toBe(code);
    }
  });
  it('passes ok', () => expect(() => throwUnlessOk(result('ok'), 1000)).not.toThrow());
});
