import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { Receiver } from '../support/receiver';

/**
 * The package as a user gets it: `npm pack`, the tarball installed into a plain CommonJS Nest app with no
 * build step, the module started by name, and the `hookline` bin run through npx. Needs the npm registry
 * (for what npm's cache lacks) and a minute or two: it runs when HOOKLINE_PACKAGE_TEST=1 (CI sets it).
 */
const ENABLED = process.env.HOOKLINE_PACKAGE_TEST === '1';
if (!ENABLED) console.warn('SKIPPED "package": set HOOKLINE_PACKAGE_TEST=1 to pack and install the package into a scratch app');
const describePackage = ENABLED ? describe : describe.skip;

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const HOOK_TOKEN = 'tok_package_3141';

/** A copy of the repository's files (not its dist/ or node_modules/), so that `prepack` cleans and builds the copy only. */
function copyCheckout(to: string): void {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(ROOT, file), join(to, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'), 'dir');
}

const APP_MAIN = `'use strict';
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { EventEmitter2, EventEmitterModule } = require('@nestjs/event-emitter');
const { HooklineModule, HooklineService, USER_REGISTERED, createUserRegisteredEvent } = require('hookline');

class AppModule {}
Module({
  imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config: 'hookline.yaml', watchConfig: false, logger: false })],
})(AppModule);

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  app.enableShutdownHooks();
  app.get(EventEmitter2).emit(
    USER_REGISTERED,
    createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com', username: 'ada' } }),
  );
  const hookline = app.get(HooklineService);
  const deadline = Date.now() + 60000;
  let page;
  do {
    await new Promise((r) => setTimeout(r, 100));
    page = await hookline.listDeliveries({ tenant: 'acme' });
  } while (Date.now() < deadline && !(page.items.length === 2 && page.items.every((d) => d.status === 'succeeded')));
  process.stdout.write(JSON.stringify(page.items.map((d) => ({ consumer: d.consumer, status: d.status }))) + '\\n');
  await app.close();
}
main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\\n');
  process.exit(1);
});
`;

const HOOK = `module.exports = function (user, context, cb) {
  fetch(context.secrets.RECEIVER + '/hook', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + context.secrets.TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email }),
  }).then(() => cb(null, { sent: true }), cb);
};
`;

describePackage('the packed package in a scratch Nest app', () => {
  let work: string;
  let app: string;
  let tarball: string;
  let packed: { filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> };
  let receiver: Receiver;
  const env = () => ({ ...process.env, HOOK_TOKEN, NO_COLOR: '1' });

  beforeAll(async () => {
    receiver = await Receiver.start();
    work = mkdtempSync(join(tmpdir(), 'hookline-package-'));
    const checkout = join(work, 'checkout');
    copyCheckout(checkout);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: checkout, maxBuffer: 64 << 20 });
    [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
    tarball = join(work, packed.filename);

    app = join(work, 'app');
    mkdirSync(join(app, 'hooks'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const peers = Object.fromEntries(Object.keys(manifest.peerDependencies).map((name) => [name, manifest.devDependencies[name]]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'scratch-app', private: true, dependencies: { ...peers, hookline: `file:${tarball}` } }, null, 2),
    );
    writeFileSync(join(app, 'main.js'), APP_MAIN);
    writeFileSync(join(app, 'hooks', 'notify.js'), HOOK);
    writeFileSync(join(app, 'secrets.env'), `TOKEN=${HOOK_TOKEN}\nRECEIVER=${receiver.url}\n`);
    writeFileSync(
      join(app, 'hookline.yaml'),
      [
        'tenants:',
        '  acme:',
        '    hooks:',
        '      - name: notify',
        '        script: hooks/notify.js',
        `        secrets: { TOKEN: "\${env:HOOK_TOKEN}", RECEIVER: "${receiver.url}" }`,
        `        allowHosts: ["127.0.0.1:${new URL(receiver.url).port}"]`,
        '    connectors:',
        '      - type: webhook',
        '        name: crm',
        `        url: "${receiver.url}/webhook"`,
        `        secret: "${WEBHOOK_SECRET}"`,
        '',
      ].join('\n'),
    );
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env: env(), maxBuffer: 64 << 20 });
  }, 600_000);

  afterAll(async () => {
    await receiver?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships what runs, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts']));
    expect(paths).toContain('dist/src/hookline/hooks/isolate/compat-runtime.json');
    expect(paths).toContain('dist/src/hookline/hooks/worker/sandbox.worker.js');
    expect(paths).toContain('dist/connectors/webhook/webhook.connector.js');
    expect(paths).toContain('dist/console/index.html');
    expect(paths).toContain('dist/src/hookline/hooks/isolate/shims/os.js');
    expect(paths).toEqual(expect.arrayContaining(['dist/src/testing/index.js', 'dist/src/testing/index.d.ts']));
    expect(paths).toEqual(expect.arrayContaining(['dist/src/hookline/health/index.js', 'dist/src/hookline/health/index.d.ts']));
    expect(paths.filter((p) => !p.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json', 'CHANGELOG.md'].includes(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(test|bench|sample)\/|\.spec\.|\.map$/.test(p))).toEqual([]);
  });

  it('runs a hook with its secret and delivers a signed webhook, required by name from a CommonJS app', async () => {
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: app, env: env(), timeout: 120_000 });
    expect(JSON.parse(stdout).sort((a: { consumer: string }, b: { consumer: string }) => a.consumer.localeCompare(b.consumer))).toEqual([
      { consumer: 'acme/hook/notify', status: 'succeeded' },
      { consumer: 'acme/webhook/crm', status: 'succeeded' },
    ]);
    const hook = receiver.requests.find((r) => r.path === '/hook');
    expect(hook?.headers.authorization).toBe(`Bearer ${HOOK_TOKEN}`);
    expect(JSON.parse(hook!.body)).toEqual({ email: 'ada@example.com' });
    const webhook = receiver.requests.find((r) => r.path === '/webhook')!;
    const verified = new Webhook(WEBHOOK_SECRET).verify(webhook.body, {
      'webhook-id': String(webhook.headers['webhook-id']),
      'webhook-timestamp': String(webhook.headers['webhook-timestamp']),
      'webhook-signature': String(webhook.headers['webhook-signature']),
    }) as { type: string; data: { user: { email: string } } };
    expect(verified).toMatchObject({ type: 'user.registered', data: { tenant: 'acme', user: { email: 'ada@example.com' } } });
  }, 180_000);

  it('answers `npx hookline --version`, `validate` and `run` from the app', async () => {
    const version = await run('npx', ['--no-install', 'hookline', '--version'], { cwd: app, env: env() });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

    const validated = await run('npx', ['--no-install', 'hookline', 'validate', 'hookline.yaml'], { cwd: app, env: env() });
    expect(validated.stdout).toContain('hookline.yaml is valid: 1 tenant(s), 2 consumer(s) enabled');

    const before = receiver.requests.length;
    const ran = await run(
      'npx',
      ['--no-install', 'hookline', 'run', 'hooks/notify.js', '--secrets-file', 'secrets.env', '--allow-host', `127.0.0.1:${new URL(receiver.url).port}`, '--json'],
      { cwd: app, env: env() },
    );
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'ok', response: { sent: true }, error: null });
    expect(receiver.requests.slice(before).map((r) => r.headers.authorization)).toEqual([`Bearer ${HOOK_TOKEN}`]);
  }, 120_000);

  it('checks health through `hookline/health` and terminus from the app', async () => {
    const script = [
      "require('reflect-metadata');",
      "const { Module } = require('@nestjs/common');",
      "const { NestFactory } = require('@nestjs/core');",
      "const { EventEmitterModule } = require('@nestjs/event-emitter');",
      "const { TerminusModule, HealthCheckService } = require('@nestjs/terminus');",
      "const { HooklineModule } = require('hookline');",
      "const { HooklineHealthModule, HooklineHealthIndicator } = require('hookline/health');",
      'class AppModule {}',
      "Module({ imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config: 'hookline.yaml', watchConfig: false, logger: false }), TerminusModule, HooklineHealthModule] })(AppModule);",
      'NestFactory.createApplicationContext(AppModule, { logger: false }).then(async (app) => {',
      '  const result = await app.get(HealthCheckService).check([() => app.get(HooklineHealthIndicator).isHealthy()]);',
      '  process.stdout.write(JSON.stringify(result));',
      '  await app.close();',
      '});',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: app, env: env(), timeout: 60_000 });
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', details: { hookline: { status: 'up', transport: 'inline', config: { loaded: true } } } });
  }, 120_000);

  it('runs the hook through `hookline/testing` from the app', async () => {
    const before = receiver.requests.length;
    const script = [
      "require('hookline/testing')",
      `.runHook('hooks/notify.js', { secrets: { TOKEN: process.env.HOOK_TOKEN, RECEIVER: ${JSON.stringify(receiver.url)} }, allowHosts: ['127.0.0.1:${new URL(receiver.url).port}'] })`,
      '.then((result) => process.stdout.write(JSON.stringify(result)));',
    ].join('');
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: app, env: env(), timeout: 60_000 });
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', response: { sent: true }, error: null });
    expect(receiver.requests.slice(before).map((r) => r.headers.authorization)).toEqual([`Bearer ${HOOK_TOKEN}`]);
  }, 120_000);
});
