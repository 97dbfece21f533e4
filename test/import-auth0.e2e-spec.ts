/**
 * `hookline import auth0`: auth0-deploy-cli exports (the directory form and the YAML form, written as
 * that tool documents them, in test/fixtures/auth0-export/) → scripts, a hookline.yaml fragment, a
 * .env.example and a per-script report; then the round trip: install → `hookline validate` → `hookline run`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { parse } from 'yaml';
import { cli } from './support/cli';
import { compatAnswer } from './support/compat/compat-answers';
import { Receiver } from './support/receiver';

const FIXTURES = join(__dirname, 'fixtures', 'auth0-export');
const DIRECTORY = join(FIXTURES, 'directory');
const YAML_FORM = join(FIXTURES, 'yaml', 'tenant.yaml');

let dir: string;
const out = (name: string) => join(dir, name);

/** The claims of an HS256 JWT whose signature checks with `key` (else throws). */
function verifyHs256(token: string, key: string): Record<string, unknown> {
  const [header, payload, signature] = token.split('.');
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  if (signature !== expected || JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') throw new Error('bad signature');
  return JSON.parse(Buffer.from(payload, 'base64url').toString());
}
const read = (path: string) => readFileSync(path, 'utf8');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Entry {
  name: string;
  script: string;
  enabled?: boolean;
  dependencies?: Record<string, string>;
  secrets?: Record<string, string>;
  allowHosts?: string[];
}
const entries = (outDir: string): Entry[] => parse(read(join(outDir, 'hookline.yaml'))).tenants.acme.hooks;

describe('hookline import auth0: the directory form', () => {
  let result: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    result = await cli('import', 'auth0', DIRECTORY, '--out', out('dir'), '--tenant', 'acme');
  });

  it('exits 1 when some scripts need work, and reports each script', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = result.stdout;
    expect(report).toContain('Read 5 Post User Registration script(s) from the directory export into tenant acme:');
    expect(report).toMatch(/notify-slack \(Auth0 hook "notify-slack", enabled\) -> .*hooks\/acme\/notify-slack\.js\n {2}runs unchanged\n {2}note: line 7: Auth0 declared axios 0\.27\.2; the sandbox provides axios 1\.21\.1\n {2}allowHosts suggestion: hooks\.slack\.com/);
    expect(report).toMatch(/sign-jwt \(Auth0 hook "sign-jwt", enabled\) .*\n {2}needs: npm i jsonwebtoken@"9\.0\.3"/);
    expect(report).toMatch(/legacy-dynamo \(Auth0 hook "legacy-dynamo", disabled\) .*\n {2}unsupported \(line 2\): require\("aws-sdk"\): AWS SDK v2 needs Node's http, fs and credential files \(the v3 @aws-sdk\/client-\* packages too\): sign the service's HTTP API call with aws4/);
    expect(report).toMatch(/welcome-email \(Auth0 action "Welcome Email", enabled\) .*\n {2}runs unchanged\n {2}allowHosts suggestion: api\.mailer\.example\.com/);
    expect(report).toMatch(/audit-log \(Auth0 action "audit-log", disabled\) .*\n {2}runs unchanged\n {2}allowHosts suggestion: audit\.internal\.example\.com/);
    expect(report).toContain('skipped hook exchange-claims (credentials-exchange): not a Post User Registration script');
    expect(report).toContain('skipped action enrich-login (post-login): not a Post User Registration script');
    expect(report).toContain('5 script(s): 3 run unchanged, 2 need work.');
    expect(report).toMatch(/npm i jsonwebtoken@"9\.0\.3"\)/);
  });

  it('writes one config entry per script: enabled or not, dependencies, ${env:…} secrets named <TENANT>_<HOOK>_<SECRET>, allowHosts', () => {
    const byName = Object.fromEntries(entries(out('dir')).map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['audit-log', 'legacy-dynamo', 'notify-slack', 'sign-jwt', 'welcome-email']);
    expect(byName['notify-slack']).toEqual({ name: 'notify-slack', script: 'hooks/acme/notify-slack.js', secrets: { SLACK_URL: '${env:ACME_NOTIFY_SLACK_SLACK_URL}' }, allowHosts: ['hooks.slack.com'] });
    expect(byName['sign-jwt']).toEqual({
      name: 'sign-jwt',
      script: 'hooks/acme/sign-jwt.js',
      dependencies: { jsonwebtoken: '9.0.3' },
      secrets: { signingKey: '${env:ACME_SIGN_JWT_SIGNING_KEY}', CRM_URL: '${env:ACME_SIGN_JWT_CRM_URL}' },
    });
    expect(byName['legacy-dynamo']).toMatchObject({ enabled: false, secrets: { AWS_ACCESS_KEY_ID: '${env:ACME_LEGACY_DYNAMO_AWS_ACCESS_KEY_ID}' } });
    expect(byName['welcome-email']).toMatchObject({ script: 'hooks/acme/welcome-email.js', secrets: { MAILER_KEY: '${env:ACME_WELCOME_EMAIL_MAILER_KEY}' } });
    expect(byName['welcome-email'].enabled).toBeUndefined();
    expect(byName['audit-log']).toMatchObject({ enabled: false, secrets: { auditSecret: '${env:ACME_AUDIT_LOG_AUDIT_SECRET}' } });
  });

  it('copies the scripts unchanged and lists every secret variable in .env.example, without values', () => {
    expect(read(out('dir/hooks/acme/sign-jwt.js'))).toBe(read(join(DIRECTORY, 'hooks', 'sign-jwt.js')));
    expect(read(out('dir/hooks/acme/welcome-email.js'))).toBe(read(join(DIRECTORY, 'actions', 'welcome-email', 'code.js')));
    const env = read(out('dir/.env.example'));
    const variables = env.split('\n').filter((l) => /^[A-Z]/.test(l));
    expect(variables).toEqual([
      'ACME_LEGACY_DYNAMO_AWS_ACCESS_KEY_ID=',
      'ACME_LEGACY_DYNAMO_AWS_SECRET_ACCESS_KEY=',
      'ACME_NOTIFY_SLACK_SLACK_URL=',
      'ACME_SIGN_JWT_SIGNING_KEY=',
      'ACME_SIGN_JWT_CRM_URL=',
      'ACME_AUDIT_LOG_AUDIT_SECRET=',
      'ACME_WELCOME_EMAIL_MAILER_KEY=',
    ]);
    expect(env + read(out('dir/hookline.yaml'))).not.toContain('_VALUE_NOT_SHOWN_');
  });

  it('never overwrites without --force (exit 2, nothing written); with --force it does', async () => {
    writeFileSync(out('dir/hooks/acme/sign-jwt.js'), '// edited after the import\n');
    const again = await cli('import', 'auth0', DIRECTORY, '--out', out('dir'), '--tenant', 'acme');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has hookline\.yaml, \.env\.example, hooks\/acme\/legacy-dynamo\.js.*; nothing was written \(pass --force to overwrite\)/);
    expect(read(out('dir/hooks/acme/sign-jwt.js'))).toBe('// edited after the import\n');
    const forced = await cli('import', 'auth0', DIRECTORY, '--out', out('dir'), '--tenant', 'acme', '--force');
    expect(forced.code).toBe(1);
    expect(read(out('dir/hooks/acme/sign-jwt.js'))).toBe(read(join(DIRECTORY, 'hooks', 'sign-jwt.js')));
  });
});

describe('hookline import auth0: the YAML form', () => {
  it('reads tenant.yaml (given as the file or its folder) into the same scripts and config', async () => {
    const fromFile = await cli('import', 'auth0', YAML_FORM, '--out', out('yaml'), '--tenant', 'acme');
    expect(fromFile.code).toBe(1);
    expect(fromFile.stdout).toContain('from the yaml export into tenant acme');
    const fromFolder = await cli('import', 'auth0', join(FIXTURES, 'yaml'), '--out', out('yaml2'), '--tenant', 'acme');
    expect(fromFolder.code).toBe(1);
    const withoutHeader = (file: string) => read(file).split('\n').slice(1).join('\n');
    expect(withoutHeader(out('yaml/hookline.yaml'))).toBe(withoutHeader(out('dir/hookline.yaml')));
    expect(withoutHeader(out('yaml2/hookline.yaml'))).toBe(withoutHeader(out('dir/hookline.yaml')));
    expect(read(out('yaml/.env.example'))).toBe(read(out('dir/.env.example')));
    expect(read(out('yaml/hooks/acme/audit-log.js'))).toBe(read(join(DIRECTORY, 'actions', 'audit-log', 'code.js')));
  });
});

describe('hookline import auth0: exit codes', () => {
  it('exits 0 when every script runs unchanged', async () => {
    const exportDir = out('clean-export');
    mkdirSync(join(exportDir, 'hooks'), { recursive: true });
    cpSync(join(DIRECTORY, 'hooks', 'notify-slack.js'), join(exportDir, 'hooks', 'notify-slack.js'));
    writeFileSync(join(exportDir, 'hooks', 'notify-slack.json'), JSON.stringify({ name: 'notify-slack', script: './notify-slack.js', enabled: true, triggerId: 'post-user-registration', secrets: { SLACK_URL: 'x' } }));
    const { code, stdout } = await cli('import', 'auth0', exportDir, '--out', out('clean'));
    expect(code).toBe(0);
    expect(stdout).toContain('into tenant clean-export:');
    expect(stdout).toContain('1 script(s): 1 run unchanged, 0 need work.');
  });

  it.each([
    ['a missing export', () => ['import', 'auth0', out('nope'), '--out', out('x1')], /^hookline: export not found: /],
    ['a folder that is no export', () => ['import', 'auth0', dir, '--out', out('x2'), '--tenant', 'acme'], /not an auth0-deploy-cli export \(expected hooks\/\*\.json or actions\/\*\.json, or a tenant\.yaml\)/],
    ['invalid JSON metadata', () => {
      mkdirSync(out('bad-json/hooks'), { recursive: true });
      writeFileSync(out('bad-json/hooks/a.json'), '{ "name": ');
      return ['import', 'auth0', out('bad-json'), '--out', out('x3'), '--tenant', 'acme'];
    }, /hooks\/a\.json: invalid JSON/],
    ['a code file that is missing', () => {
      mkdirSync(out('no-code/hooks'), { recursive: true });
      writeFileSync(out('no-code/hooks/a.json'), JSON.stringify({ name: 'a', script: './a.js', triggerId: 'post-user-registration' }));
      return ['import', 'auth0', out('no-code'), '--out', out('x4'), '--tenant', 'acme'];
    }, /code file \.\/a\.js not found/],
    ['invalid YAML', () => {
      writeFileSync(out('bad.yaml'), 'hooks: [\n');
      return ['import', 'auth0', out('bad.yaml'), '--out', out('x5'), '--tenant', 'acme'];
    }, /bad\.yaml: invalid YAML/],
    ['a tenant id that is not one', () => ['import', 'auth0', DIRECTORY, '--out', out('x6'), '--tenant', 'Acme Corp'], /--tenant "Acme Corp" is not a tenant id/],
    ['no --out', () => ['import', 'auth0', DIRECTORY], /required option '--out <dir>' not specified/],
  ])('exits 2 on %s', async (_name, args, message) => {
    const { code, stderr } = await cli(...args());
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('hookline import auth0: round trip', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start({ answer: compatAnswer });
  });
  afterAll(() => receiver.close());

  it('export → import → npm i → hookline validate → hookline run of an imported script', async () => {
    const target = out('trip');
    expect((await cli('import', 'auth0', DIRECTORY, '--out', target, '--tenant', 'acme')).code).toBe(1);
    // `npm i jsonwebtoken@9.0.3` where the config lives: this repository's node_modules has that version.
    symlinkSync(join(__dirname, '..', 'node_modules'), join(target, 'node_modules'), 'dir');
    const reimport = await cli('import', 'auth0', DIRECTORY, '--out', target, '--tenant', 'acme', '--force');
    expect(reimport.stdout).toMatch(/sign-jwt \(Auth0 hook "sign-jwt", enabled\) .*\n {2}runs unchanged/);
    const env = {
      ACME_NOTIFY_SLACK_SLACK_URL: `${receiver.url}/slack`,
      ACME_SIGN_JWT_SIGNING_KEY: 'jwt-signing-key-123',
      ACME_SIGN_JWT_CRM_URL: receiver.url,
      ACME_WELCOME_EMAIL_MAILER_KEY: 'mk-1',
    };
    Object.assign(process.env, env);
    try {
      const validated = await cli('validate', join(target, 'hookline.yaml'));
      expect(validated.stderr).toBe('');
      expect(validated.code).toBe(0);
      expect(validated.stdout).toContain('1 tenant(s), 3 consumer(s) enabled, 2 disabled');
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
    const run = await cli('run', join(target, 'hooks', 'acme', 'sign-jwt.js'), '--json', '--secret', `signingKey=${env.ACME_SIGN_JWT_SIGNING_KEY}`,
      '--secret', `CRM_URL=${receiver.url}`, '--allow-host', new URL(receiver.url).host);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'ok', error: null });
    expect(run.code).toBe(0);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/signups' });
    const claims = verifyHs256(String(request.headers.authorization).replace(/^Bearer /, ''), env.ACME_SIGN_JWT_SIGNING_KEY);
    expect(claims).toMatchObject({ sub: expect.any(String), email: expect.stringContaining('@'), iss: 'auth0-hooks' });
  });
});
