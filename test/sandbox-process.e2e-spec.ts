// Some V8 out-of-memory aborts take down whatever process hosts an isolate: the app must never host one.
jest.mock('isolated-vm', () => {
  throw new Error('isolated-vm was loaded in the app process');
});

describe('the app process', () => {
  it('never loads isolated-vm: the module, the hook plugin and the pool only talk to worker processes', async () => {
    const hookline = await import('../src/hookline/index');
    const { createHookPlugin } = await import('../src/hookline/hooks/hook.plugin');
    const pool = new hookline.SandboxPool({ size: 1 });
    try {
      expect(createHookPlugin(pool).type).toBe('hook');
      const source = 'module.exports = async () => "from a worker";';
      const result = await pool.invoke({
        tenant: 'acme',
        hookId: 'acme/hook/p',
        script: { filename: 'p.js', source, hash: 'p' },
        input: { user: {}, context: {}, actionsEvent: {} },
        secrets: {},
        allowHosts: [],
        timeoutMs: 2000,
        memoryMb: 16,
      });
      expect(result).toMatchObject({ status: 'ok', response: 'from a worker' });
    } finally {
      await pool.close();
    }
  });
});
