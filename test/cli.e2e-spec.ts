import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/hookline';

/** Runs the CLI in this process (the sandbox workers are real processes all the same). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await main(['node', 'hookline', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

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
      expect(Object.keys(output)).toEqual(['status', 'response', 'error', 'logs', 'durationMs']);
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
  });
});
