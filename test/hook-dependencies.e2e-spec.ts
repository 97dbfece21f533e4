/**
 * npm dependencies of hooks: declared in the hook's entry, resolved from the config file's folder,
 * checked against their range, bundled for the isolate and loaded on first require. Packages made at
 * test time in a temporary node_modules; run through `hookline validate` and the Runner.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleDependency, findInstalled } from '../src/hookline/hooks/compat/dependencies';
import { cli } from './support/cli';
import { compatAnswer } from './support/compat/compat-answers';
import { Receiver } from './support/receiver';

let dir: string;
let receiver: Receiver;

function pkg(name: string, version: string, files: Record<string, string>, manifest: Record<string, unknown> = {}): void {
  const root = join(dir, 'node_modules', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version, main: 'index.js', ...manifest }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const config = (hooks: string, sandbox = '') => `${sandbox}tenants:\n  acme:\n    hooks:\n${hooks}`;

beforeAll(async () => {
  receiver = await Receiver.start({ answer: compatAnswer });
  dir = mkdtempSync(join(tmpdir(), 'hookline-deps-'));
  pkg('greet', '1.4.2', {
    'index.js': "const util = require('util');\nconst { helper } = require('./lib/helper');\nmodule.exports = (name) => util.format('hello %s (%s)', name, helper(name));\n",
    'lib/helper.js': "exports.helper = (name) => Buffer.from(name).toString('base64');\n",
  });
  pkg('tiny-sdk', '2.1.0', {
    'index.js': "class Client {\n  constructor(base, token) { this.base = base; this.token = token; }\n  async track(event) {\n    const res = await fetch(this.base + '/sdk/track', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + this.token }, body: JSON.stringify(event) });\n    if (!res.ok) throw new Error('track failed: ' + res.status);\n    return res.json();\n  }\n}\nmodule.exports = { Client };\n",
  });
  pkg('reads-files', '1.0.0', { 'index.js': "const fs = require('fs');\nmodule.exports = fs.readFileSync;\n" });
  pkg('optional-fs', '3.0.0', { 'index.js': "let fs = null;\ntry {\n  fs = require('fs');\n} catch (e) {}\nmodule.exports = () => (fs ? 'fs' : 'no fs');\n" });
  pkg('native-thing', '1.0.0', { 'index.js': "module.exports = require('./build/Release/thing.node');\n" }, { gypfile: true });
  pkg('spawns', '0.3.0', { 'index.js': "const { execSync } = require('child_process');\nmodule.exports = () => execSync('id');\n" });
});

afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => receiver.reset());

describe('declaring and resolving', () => {
  it('validates a declared package whose installed version satisfies its range', async () => {
    file('greet.js', "const greet = require('greet');\nmodule.exports = async (user) => greet(user.email);\n");
    const { code, stdout, stderr } = await cli('validate', file('ok.yaml', config('      - script: greet.js\n        dependencies: { greet: "^1.4.0" }\n')));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain('warning');
  });

  it('refuses a range the installed version does not satisfy, naming the hook, the package and both versions', async () => {
    const { code, stderr } = await cli('validate', file('mismatch.yaml', config('      - script: greet.js\n        dependencies: { greet: "^2.0.0" }\n')));
    expect(code).toBe(1);
    expect(stderr).toMatch(/tenants\.acme\.hooks\[0\]\.dependencies: hook .*greet\.js: greet \^2\.0\.0 is declared but 1\.4\.2 is installed/);
  });

  it('refuses a declared package that is not installed, saying what to install', async () => {
    const { code, stderr } = await cli('validate', file('missing.yaml', config('      - script: greet.js\n        dependencies: { greet: "^1", left-pad: "^1.3.0" }\n')));
    expect(code).toBe(1);
    expect(stderr).toContain('left-pad ^1.3.0 is declared but not installed');
    expect(stderr).toContain('run npm i left-pad@"^1.3.0"');
  });

  it('allows an installed but undeclared package with a warning; strictDependencies refuses it', async () => {
    const loose = await cli('validate', file('loose.yaml', config('      - script: greet.js\n')));
    expect(loose.code).toBe(0);
    expect(loose.stdout).toMatch(/warning: .*greet\.js:1:15: hook .*greet\.js: requires greet without declaring it; using the installed 1\.4\.2/);
    const strict = await cli('validate', file('strict.yaml', config('      - script: greet.js\n', 'sandbox: { strictDependencies: true }\n')));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('requires greet, which is installed (1.4.2) but not in its dependencies (strictDependencies is on)');
  });

  it('resolves an allow-listed name to the sandbox module: its range is only checked, with a warning', async () => {
    file('axios-hook.js', "const axios = require('axios');\nmodule.exports = async () => typeof axios.post;\n");
    const { code, stdout } = await cli('validate', file('axios.yaml', config('      - script: axios-hook.js\n        dependencies: { axios: "^0.27.0" }\n')));
    expect(code).toBe(0);
    expect(stdout).toMatch(/warning: hook .*axios-hook\.js: axios \^0\.27\.0 is declared but 1\.\d+\.\d+ is installed: Hookline provides axios 1\.\d+\.\d+ in the sandbox and uses it/);
  });

  it('resolves from sandbox.resolveFrom when given', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'hookline-deps-cfg-'));
    try {
      writeFileSync(join(elsewhere, 'greet.js'), "const greet = require('greet');\nmodule.exports = async (user) => greet(user.email);\n");
      const text = config('      - script: greet.js\n        dependencies: { greet: "^1" }\n', `sandbox: { resolveFrom: ${JSON.stringify(dir)} }\n`);
      const withIt = await cli('validate', (writeFileSync(join(elsewhere, 'a.yaml'), text), join(elsewhere, 'a.yaml')));
      expect(withIt.code).toBe(0);
      const without = await cli('validate', (writeFileSync(join(elsewhere, 'b.yaml'), config('      - script: greet.js\n        dependencies: { greet: "^1" }\n')), join(elsewhere, 'b.yaml')));
      expect(without.stderr).toContain('greet ^1 is declared but not installed');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('what the sandbox cannot give', () => {
  it.each([
    ['reads-files', /reads-files@1\.0\.0 reaches for "fs" while it loads \(index\.js:1\), which the sandbox does not provide/],
    ['spawns', /spawns@0\.3\.0 reaches for "child_process" while it loads \(index\.js:1\)/],
    ['native-thing', /native-thing@1\.0\.0 needs a compiled addon \(binding\.gyp\), which the sandbox cannot load/],
  ])('%s fails at config load, naming the package and what it reached for', async (name, message) => {
    file(`${name}.js`, `const m = require('${name}');\nmodule.exports = async () => typeof m;\n`);
    const { code, stderr } = await cli('validate', file(`${name}.yaml`, config(`      - script: ${name}.js\n        dependencies: { ${name}: "*" }\n`)));
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('a package that requires fs conditionally loads with a warning; the guarded require throws MODULE_NOT_FOUND', async () => {
    const script = file('optional.js', "const probe = require('optional-fs');\nmodule.exports = async () => probe();\n");
    const output = JSON.parse((await cli('run', script, '--json')).stdout);
    expect(output).toMatchObject({ status: 'ok', response: 'no fs' });
    expect(output.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['DEPENDENCY_CONDITIONAL_BUILTIN', 'DEPENDENCY_UNDECLARED']);
    expect(JSON.stringify(output.warnings)).toContain('optional-fs@3.0.0 may require \\"fs\\" (index.js:3)');
  });
});

describe('running hooks with dependencies (Runner: a worker process, the isolate, the fetch bridge)', () => {
  it('loads a bundled package on first require, with the built-ins it uses', async () => {
    const output = JSON.parse((await cli('run', join(dir, 'greet.js'), '--json')).stdout);
    expect(output).toMatchObject({ status: 'ok', response: 'hello user1@foo.com (dXNlcjFAZm9vLmNvbQ==)' });
  });

  it("a fetch-based SDK's requests go through the bridge and its allow-list", async () => {
    const script = file('sdk.js', "const { Client } = require('tiny-sdk');\nmodule.exports = async (user, context) => new Client(context.webtask.secrets.BASE_URL, context.webtask.secrets.TOKEN).track({ email: user.email });\n");
    const host = new URL(receiver.url).host;
    const ok = JSON.parse((await cli('run', script, '--json', '--secret', `BASE_URL=${receiver.url}`, '--secret', 'TOKEN=t0k', '--allow-host', host)).stdout);
    expect(ok).toMatchObject({ status: 'ok', response: { ok: true, id: 'abc' } });
    expect(receiver.requests.map((r) => [r.method, r.path, r.headers.authorization, r.body])).toEqual([['POST', '/sdk/track', 'Bearer t0k', '{"email":"user1@foo.com"}']]);
    const refused = JSON.parse((await cli('run', script, '--json', '--secret', `BASE_URL=${receiver.url}`, '--secret', 'TOKEN=t0k')).stdout);
    expect(refused).toMatchObject({ status: 'error', error: { message: expect.stringContaining('is not in allowHosts') } });
  });

  it('bundles each package version once per process (the second hook reuses the bundle)', () => {
    const installed = findInstalled('greet', dir)!;
    const first = bundleDependency(installed, true).dependency!;
    const second = bundleDependency(installed, false).dependency!;
    expect(second.source).toBe(first.source);
    expect(first.id).toMatch(/^npm:greet@1\.4\.2:[0-9a-f]{16}$/);
  });
});
