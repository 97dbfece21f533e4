/**
 * TLS trust of the sandbox workers: a hook's HTTPS call to a receiver whose certificate comes from a
 * private CA works when the app trusts that CA (the pool's `ca` option, the config file's `sandbox.ca`,
 * the Runner's `--ca`, or the app's NODE_EXTRA_CA_CERTS, which the workers inherit), and fails with a
 * clear error when it does not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_CONNECTORS } from '../connectors';
import { loadConfigFile } from '../src/hookline/config/config.loader';
import { ConnectorRegistry } from '../src/hookline/connectors/connector.registry';
import { ConfigInvalidError } from '../src/hookline/core/errors/config-invalid.error';
import { DEFAULT_RETRY } from '../src/hookline/core/retry/retry.policy';
import { createHookPlugin, type HookConfig } from '../src/hookline/hooks/hook.plugin';
import { SandboxPool } from '../src/hookline/hooks/host/sandbox.pool';
import { workerEnvironment, workerTrustFlags } from '../src/hookline/hooks/host/sandbox-trust';
import type { HookInvocation } from '../src/hookline/hooks/host/sandbox.types';
import { cli } from './support/cli';
import { compatAnswer } from './support/compat/compat-answers';
import { Receiver } from './support/receiver';
import { createPrivateCa, type PrivateCa } from './support/private-ca';

let ca: PrivateCa;
let other: PrivateCa;
let receiver: Receiver;
let dir: string;

const SOURCE = `const axios = require('axios');
module.exports = async function (user, context) {
  const base = context.webtask.secrets.BASE_URL;
  const res = await fetch(base + '/tls/fetch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email }) });
  const viaAxios = await axios.post(base + '/tls/axios', { id: user.id });
  return { fetch: res.status, axios: viaAxios.status };
};`;

function invocation(extra: Partial<HookInvocation> = {}): HookInvocation {
  return {
    tenant: 'acme',
    hookId: `acme/hook/tls-${Math.random().toString(36).slice(2)}`,
    script: { filename: 'tls.js', source: SOURCE, hash: 'tls-1' },
    input: { user: { id: 'u-1', email: 'ada@example.com' }, context: {}, actionsEvent: {} },
    secrets: { BASE_URL: receiver.url },
    allowHosts: [new URL(receiver.url).host],
    timeoutMs: 5000,
    memoryMb: 64,
    ...extra,
  };
}

async function run(pool: SandboxPool, extra: Partial<HookInvocation> = {}) {
  try {
    return await pool.invoke(invocation(extra));
  } finally {
    await pool.close();
  }
}

beforeAll(async () => {
  ca = createPrivateCa();
  other = createPrivateCa('Another Test CA');
  receiver = await Receiver.start({ tls: { cert: ca.cert, key: ca.key }, answer: compatAnswer });
  dir = mkdtempSync(join(tmpdir(), 'hookline-tls-'));
});
afterAll(async () => {
  await receiver.close();
  ca.remove();
  other.remove();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => receiver.reset());

describe('HTTPS from hooks to a receiver behind a private CA', () => {
  it('fails with a clear error naming the host and the fix when the CA is not trusted', async () => {
    const result = await run(new SandboxPool({ size: 1 }));
    expect(result.status).toBe('error');
    expect(result.error?.message).toContain(`fetch: the TLS certificate of ${new URL(receiver.url).host} is not trusted`);
    expect(result.error?.message).toContain('sandbox `ca` option or NODE_EXTRA_CA_CERTS');
    expect(receiver.requests).toEqual([]);
  });

  it('succeeds through fetch and axios with the pool option `ca` (PEM text)', async () => {
    const result = await run(new SandboxPool({ size: 1, ca: ca.caPem }));
    expect(result).toMatchObject({ status: 'ok', response: { fetch: 200, axios: 200 } });
    expect(receiver.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'POST /tls/fetch {"email":"ada@example.com"}',
      'POST /tls/axios {"id":"u-1"}',
    ]);
  });

  it("succeeds with the invocation's own CA (the config file's sandbox.ca); another CA does not help", async () => {
    expect(await run(new SandboxPool({ size: 1 }), { ca: ca.caPem })).toMatchObject({ status: 'ok' });
    const wrong = await run(new SandboxPool({ size: 1 }), { ca: other.caPem });
    expect(wrong.error?.message).toContain('is not trusted');
  });

  it("succeeds with the app's NODE_EXTRA_CA_CERTS, which the worker inherits", async () => {
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = ca.caFile;
    try {
      expect(await run(new SandboxPool({ size: 1 }))).toMatchObject({ status: 'ok', response: { fetch: 200, axios: 200 } });
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
    expect(receiver.requests).toHaveLength(2);
  });

  it('succeeds through the Runner with --ca; an unreadable --ca is a usage error', async () => {
    const script = join(dir, 'tls.js');
    writeFileSync(script, SOURCE);
    const args = ['run', script, '--json', '--secret', `BASE_URL=${receiver.url}`, '--allow-host', new URL(receiver.url).host];
    const ok = await cli(...args, '--ca', ca.caFile);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'ok', response: { fetch: 200, axios: 200 } });
    const missing = await cli(...args, '--ca', join(dir, 'nope.pem'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--ca: cannot read');
  });
});

describe('the worker environment', () => {
  it('keeps only the TLS trust variables of the app environment', () => {
    expect(workerEnvironment({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem', SSL_CERT_FILE: '/etc/ssl/cert.pem', SSL_CERT_DIR: '/etc/ssl/certs', DATABASE_URL: 'postgres://x', HOME: '/root', PATH: '/bin' }))
      .toEqual({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem', SSL_CERT_FILE: '/etc/ssl/cert.pem', SSL_CERT_DIR: '/etc/ssl/certs' });
    expect(workerEnvironment({ SECRET: 'x' })).toEqual({});
  });

  it('passes on the certificate-store flags of the app, and no other flag', () => {
    expect(workerTrustFlags(['--use-openssl-ca', '--inspect', '--max-old-space-size=100'], '--use-system-ca --require ./x.js')).toEqual(['--use-openssl-ca', '--use-system-ca']);
  });
});

describe('sandbox.ca in the config file', () => {
  const options = { registry: new ConnectorRegistry([...BUILTIN_CONNECTORS, createHookPlugin(new SandboxPool({ size: 1 }))]), defaults: { retry: { ...DEFAULT_RETRY }, timeoutMs: 10_000 }, env: {} };
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads a PEM file relative to the config file and gives it to each hook', () => {
    writeFileSync(join(dir, 'hook.js'), 'module.exports = async () => {};');
    writeFileSync(join(dir, 'company-ca.pem'), ca.caPem);
    const config = loadConfigFile(write('ok.yaml', 'sandbox: { ca: company-ca.pem }\ntenants:\n  acme:\n    hooks: [{ script: hook.js }]\n'), options);
    const hook = [...config.consumers.values()][0].config as HookConfig;
    expect(hook.ca).toBe(ca.caPem);
  });

  it('rejects a missing file or text without certificates, naming sandbox.ca', () => {
    for (const [value, expected] of [['missing.pem', 'cannot read missing.pem'], ['"not a pem"', 'cannot read not a pem']] as const) {
      const file = write('bad.yaml', `sandbox: { ca: ${value} }\ntenants: {}\n`);
      let error: unknown;
      try {
        loadConfigFile(file, options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigInvalidError);
      expect((error as ConfigInvalidError).issues).toEqual([{ path: 'sandbox.ca', message: expect.stringContaining(expected) }]);
    }
    writeFileSync(join(dir, 'empty.pem'), 'nothing here');
    expect(() => loadConfigFile(write('empty.yaml', 'sandbox: { ca: empty.pem }\ntenants: {}\n'), options)).toThrow(/sandbox\.ca: expected one or more PEM certificates/);
  });
});
