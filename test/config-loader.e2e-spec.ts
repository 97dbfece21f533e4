import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_CONNECTORS } from '../connectors';
import { ConnectorRegistry } from '../src/hookline/connectors/connector.registry';
import { DEFAULT_RETRY } from '../src/hookline/core/retry/retry.policy';
import { ConfigInvalidError } from '../src/hookline/core/errors/config-invalid.error';
import { loadConfigFile } from '../src/hookline/config/config.loader';
import { createHookPlugin } from '../src/hookline/hooks/hook.plugin';
import type { HookConfig } from '../src/hookline/hooks/hook.plugin';
import { SandboxPool } from '../src/hookline/hooks/host/sandbox.pool';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const options = (env: NodeJS.ProcessEnv = {}) => ({
  registry: new ConnectorRegistry(BUILTIN_CONNECTORS),
  defaults: { retry: { ...DEFAULT_RETRY }, timeoutMs: 10_000 },
  env,
});

function write(text: string, name = 'hookline.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hookline-config-')), name);
  writeFileSync(file, text);
  return file;
}

function errorOf(file: string, env: NodeJS.ProcessEnv = {}): ConfigInvalidError {
  try {
    loadConfigFile(file, options(env));
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadConfigFile', () => {
  it('compiles enabled consumers with ids, merged retry settings and interpolated env values', () => {
    const file = write(`
defaults: { retry: { maxAttempts: 4 } }
tenants:
  acme:
    connectors:
      - type: webhook
        name: crm
        url: "\${env:CRM_URL}/in"
        secret: "\${env:CRM_SECRET}"
        retry: { initialDelayMs: 10 }
      - { type: webhook, name: off, enabled: false, url: "\${env:NOT_SET}", secret: x }
  empty: {}
`);
    const config = loadConfigFile(file, {
      ...options({ CRM_URL: 'https://crm.example.com', CRM_SECRET: SECRET }),
      defaults: { retry: { ...DEFAULT_RETRY, maxAttempts: 4 }, timeoutMs: 10_000 },
    });
    const [consumer] = config.tenants.get('acme')!;
    expect(consumer).toMatchObject({
      id: 'acme/webhook/crm',
      kind: 'connector',
      retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: DEFAULT_RETRY.maxDelayMs },
      timeoutMs: 10_000,
    });
    expect((consumer.config as { url: string }).url).toBe('https://crm.example.com/in');
    expect(config.tenants.get('empty')).toEqual([]);
    expect(config.secretValues).toContain(SECRET);
    expect(config.disabled).toEqual(['acme/webhook/off']);
  });

  it('cascades retry and timeout: module options < file defaults < tenant < consumer', () => {
    const file = write(`
defaults: { retry: { maxAttempts: 4 }, timeoutMs: 3000 }
tenants:
  acme:
    retry: { initialDelayMs: 7 }
    timeoutMs: 2000
    connectors:
      - { type: webhook, name: a, url: "https://a.example.com", secret: "${SECRET}", retry: { maxDelayMs: 99 } }
      - { type: webhook, name: b, url: "https://b.example.com", secret: "${SECRET}", timeoutMs: 1000 }
  other:
    connectors:
      - { type: webhook, url: "https://c.example.com", secret: "${SECRET}" }
`);
    const config = loadConfigFile(file, options());
    expect(config.consumers.get('acme/webhook/a')).toMatchObject({ retry: { maxAttempts: 4, initialDelayMs: 7, maxDelayMs: 99 }, timeoutMs: 2000 });
    expect(config.consumers.get('acme/webhook/b')).toMatchObject({ retry: { maxAttempts: 4, initialDelayMs: 7, maxDelayMs: DEFAULT_RETRY.maxDelayMs }, timeoutMs: 1000 });
    expect(config.consumers.get('other/webhook/webhook')).toMatchObject({ retry: { ...DEFAULT_RETRY, maxAttempts: 4 }, timeoutMs: 3000 });
  });

  it('cascades the sandbox CPU budget: built-in < file defaults < tenant, and checks it', () => {
    // Compiling a config starts no worker: the pool forks on first use.
    const registry = new ConnectorRegistry([...BUILTIN_CONNECTORS, createHookPlugin(new SandboxPool({ size: 1 }))]);
    const file = write(`
defaults: { sandbox: { cpuBudget: { cpuMs: 2000 } } }
tenants:
  acme:
    hooks: [{ name: h, source: "module.exports = async () => 1;" }]
  hogco:
    sandbox: { cpuBudget: { cpuMs: 500, windowMs: 3000 } }
    hooks: [{ name: h, source: "module.exports = async () => 1;" }]
`);
    const config = loadConfigFile(file, { ...options(), registry });
    const budget = (tenant: string) => (config.tenants.get(tenant)![0].config as HookConfig).cpuBudget;
    expect(budget('acme')).toEqual({ cpuMs: 2000, windowMs: 10_000 });
    expect(budget('hogco')).toEqual({ cpuMs: 500, windowMs: 3000 });
    const bad = write(`
defaults: { sandbox: { cpuBudget: { cpuMs: 0, window: 5 } } }
tenants: {}
`);
    let error: unknown;
    try {
      loadConfigFile(bad, { ...options(), registry });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect((error as ConfigInvalidError).issues.map((i) => i.path).sort()).toEqual(['defaults.sandbox.cpuBudget', 'defaults.sandbox.cpuBudget.cpuMs']);
  });

  it('reads JSON by its extension', () => {
    const file = write(JSON.stringify({ tenants: { acme: { connectors: [{ type: 'webhook', url: 'http://127.0.0.1:1/x', secret: SECRET }] } } }), 'c.json');
    expect(loadConfigFile(file, options()).consumers.has('acme/webhook/webhook')).toBe(true);
  });

  it('names the file, the path inside it and what was expected', () => {
    const file = write(`
tenants:
  acme:
    connectors:
      - { type: webhook, url: "https://ok.example.com", secret: "${SECRET}" }
      - { type: webhook, name: two, url: "not a url", secret: "${SECRET}", retry: { maxAttempts: 0 } }
`);
    const error = errorOf(file);
    expect(error.message).toContain(`Invalid Hookline config in ${file}`);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'tenants.acme.connectors[1].retry.maxAttempts', message: expect.stringMatching(/>=\s*1/) },
        { path: 'tenants.acme.connectors[1].url', message: 'expected an http(s) URL' },
      ]),
    );
    expect(error.message).toContain('tenants.acme.connectors[1].url: expected an http(s) URL');
  });

  it('lists the known types for an unknown connector type', () => {
    const error = errorOf(write('tenants:\n  acme:\n    connectors:\n      - { type: slak }\n'));
    expect(error.issues).toEqual([{ path: 'tenants.acme.connectors[0].type', message: expect.stringMatching(/unknown connector type "slak"; known types: .*webhook/) }]);
  });

  it('names a missing environment variable, unless its consumer is disabled', () => {
    const yaml = (enabled: boolean) =>
      `tenants:\n  acme:\n    connectors:\n      - { type: webhook, enabled: ${enabled}, url: "\${env:HOOK_URL}", secret: "${SECRET}" }\n`;
    const error = errorOf(write(yaml(true)));
    expect(error.issues).toEqual([{ path: 'tenants.acme.connectors[0].url', message: expect.stringContaining('environment variable HOOK_URL is not set') }]);
    expect(() => loadConfigFile(write(yaml(false)), options())).not.toThrow();
  });

  it('reports unknown fields, bad tenant ids and duplicate consumer ids', () => {
    const error = errorOf(
      write(`
tenants:
  acme:
    connectors:
      - { type: webhook, url: "https://a.example.com", secret: "${SECRET}", colour: red }
      - { type: webhook, url: "https://b.example.com", secret: "${SECRET}" }
      - { type: webhook, url: "https://c.example.com", secret: "${SECRET}" }
`),
    );
    expect(error.issues).toEqual([
      { path: 'tenants.acme.connectors[0]', message: 'unknown field colour' },
      { path: 'tenants.acme.connectors[2]', message: expect.stringContaining('two consumers share the id "acme/webhook/webhook"') },
    ]);
    expect(errorOf(write('tenants:\n  Bad Tenant: {}\n')).issues[0].path).toBe('tenants["Bad Tenant"]');
  });

  it('gives the line of a YAML syntax error', () => {
    const error = errorOf(write('tenants:\n  acme:\n    connectors: [\n'));
    expect(error.issues[0].path).toMatch(/^line \d+, column \d+$/);
    expect(error.issues[0].message).toMatch(/^invalid YAML/);
  });

  it('says so when the file cannot be read', () => {
    expect(errorOf('/nonexistent/hookline.yaml').message).toMatch(/cannot read the file: ENOENT/);
  });
});
