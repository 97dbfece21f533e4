import { isRunnerOutput, loadPastedScript, runHookOnce } from './hook-runner';
import { AUTH0_STARTER_PAYLOAD } from './runner-sample';
import type { HookScript } from './host/sandbox.types';

describe('runHookOnce', () => {
  const script = loadPastedScript('module.exports = function (user, context, cb) { console.log("ran"); cb(null, user.id); };', 'h.js');
  if (isRunnerOutput(script)) throw new Error(`the test's script does not load: ${script.error?.message}`);
  const limits = { secrets: {}, allowHosts: [], timeoutMs: 5_000, memoryMb: 32 };
  const run = (secrets: Record<string, string> = {}, workerStderr = false, source = script as HookScript) =>
    runHookOnce(source, 'runner/h.js', AUTH0_STARTER_PAYLOAD as unknown as Record<string, unknown>, { ...limits, secrets }, { workerStderr });

  it('runs the hook and answers its result and lines, with no line of its own', async () => {
    const output = await run();
    expect(output).toMatchObject({ status: 'ok', response: 'abc123', error: null });
    expect(output.logs).toEqual([{ level: 'log', message: 'ran' }]);
  });

  it('redacts a secret that holds another whole, whichever is listed first', async () => {
    const shows = loadPastedScript('module.exports = function (u, context, cb) { console.log("key " + context.webtask.secrets.LONG); cb(); };', 's.js');
    if (isRunnerOutput(shows)) throw new Error(`the test's script does not load: ${shows.error?.message}`);
    const output = await run({ SHORT: 'abcd', LONG: 'abcd-efgh' }, false, shows);
    expect(output.logs).toEqual([{ level: 'log', message: 'key [REDACTED]' }]);
  });

  describe('a sandbox worker that cannot start', () => {
    // Flags node refuses together: the worker (which runs with the app's certificate-store flags) exits at
    // once, as with a broken install; its stderr names both flags.
    const flags = ['--use-openssl-ca', '--use-bundled-ca'];
    beforeEach(() => process.execArgv.push(...flags));
    afterEach(() => process.execArgv.splice(process.execArgv.length - flags.length, flags.length));
    // "could not start" when the worker exits within 2 s of its spawn; on a very slow machine, "crashed".
    const failed = /^\[hookline\] sandbox worker (could not start|crashed; restarting it) \(exit code \d+/;

    it("says why among the lines, with its stderr's last words when asked for them, the hook's secrets redacted", async () => {
      const output = await run({ TOKEN: 'use-bundled-ca' }, true);
      expect(output).toMatchObject({ status: 'error', error: { name: 'SandboxCrashError' } });
      const lines = output.logs.filter((line) => line.level === 'error').map((line) => line.message);
      expect(lines[0]).toMatch(failed);
      expect(lines[0]).toContain('--use-openssl-ca');
      // The secret's value, which node's message also holds, is not shown.
      expect(lines.join('\n')).not.toContain('use-bundled-ca');
      expect(lines[0]).toContain('[REDACTED]');
    });

    it('says why without its stderr by default (the admin API: it names paths of the machine)', async () => {
      const output = await run();
      expect(output).toMatchObject({ status: 'error', error: { name: 'SandboxCrashError' } });
      const lines = output.logs.filter((line) => line.level === 'error').map((line) => line.message);
      expect(lines[0]).toMatch(failed);
      expect(lines.join('\n')).not.toContain('--use-openssl-ca');
    });
  });
});
