import { isRunnerOutput, loadPastedScript, runHookOnce } from './hook-runner';
import { AUTH0_STARTER_PAYLOAD } from './runner-sample';
import type { HookScript } from './host/sandbox.types';

describe('runHookOnce', () => {
  const script = loadPastedScript('module.exports = function (user, context, cb) { console.log("ran"); cb(null, user.id); };', 'h.js');
  if (isRunnerOutput(script)) throw new Error(`the test's script does not load: ${script.error?.message}`);
  const limits = { secrets: {}, allowHosts: [], timeoutMs: 5_000, memoryMb: 32 };
  const run = (secrets: Record<string, string> = {}) =>
    runHookOnce(script as HookScript, 'runner/h.js', AUTH0_STARTER_PAYLOAD as unknown as Record<string, unknown>, { ...limits, secrets });

  it('runs the hook and answers its result and lines, with no line of its own', async () => {
    const output = await run();
    expect(output).toMatchObject({ status: 'ok', response: 'abc123', error: null });
    expect(output.logs).toEqual([{ level: 'log', message: 'ran' }]);
  });

  it("says why a sandbox worker could not start among the lines (its stderr's last words), the hook's secrets redacted", async () => {
    // Flags node refuses together: the worker (which runs with the app's certificate-store flags) exits at
    // once, as with a broken install; its stderr names both flags.
    const flags = ['--use-openssl-ca', '--use-bundled-ca'];
    process.execArgv.push(...flags);
    try {
      const output = await run({ TOKEN: 'use-bundled-ca' });
      expect(output).toMatchObject({ status: 'error', error: { name: 'SandboxCrashError' } });
      const lines = output.logs.filter((line) => line.level === 'error').map((line) => line.message);
      expect(lines[0]).toMatch(/^\[hookline\] sandbox worker could not start \(exit code \d+: .*--use-openssl-ca/);
      // The secret's value, which node's message also holds, is not shown.
      expect(lines.join('\n')).not.toContain('use-bundled-ca');
      expect(lines[0]).toContain('[REDACTED]');
    } finally {
      process.execArgv.splice(process.execArgv.length - flags.length, flags.length);
    }
  });
});
