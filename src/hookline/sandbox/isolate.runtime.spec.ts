import { IsolateRuntime } from './isolate.runtime';
import type { FromWorker, InvokeMessage } from './sandbox.protocol';

describe('IsolateRuntime', () => {
  const results = new Map<number, (m: FromWorker) => void>();
  const runtime = new IsolateRuntime((m) => (m.t === 'result' ? results.get(m.id)?.(m) : undefined), {
    maxRssMb: 1e6,
    onCatastrophicError: () => undefined,
  });
  let id = 0;
  const invoke = (tenant: string, extra: Partial<InvokeMessage> = {}) =>
    new Promise<FromWorker>((resolve) => {
      const message: InvokeMessage = {
        t: 'invoke',
        id: ++id,
        tenant,
        hookId: `${tenant}/hook/h`,
        filename: 'h.js',
        hash: 'v1',
        source: 'module.exports = async () => "ok";',
        payload: '{"user":{},"context":{},"actionsEvent":{}}',
        secrets: {},
        allowHosts: [],
        timeoutMs: 2000,
        memoryMb: 16,
        ...extra,
      };
      results.set(message.id, resolve);
      void runtime.invoke(message);
    });

  afterAll(() => runtime.evictIdle(Number.POSITIVE_INFINITY, 0));

  it('keeps one isolate per tenant and evicts idle ones', async () => {
    for (const tenant of ['a', 'b', 'c', 'a']) await expect(invoke(tenant)).resolves.toMatchObject({ status: 'ok', ended: true });
    expect(runtime.isolateCount).toBe(3);
    runtime.evictIdle(performance.now() + 10_000, 5_000);
    expect(runtime.isolateCount).toBe(0);
    await expect(invoke('a')).resolves.toMatchObject({ status: 'ok' });
  });

  it('replaces an isolate that timed out repeatedly', async () => {
    const loop = { hookId: 'slow/hook/loop', hash: 'loop', source: 'module.exports = function () { for (;;) {} };', timeoutMs: 100 };
    for (let i = 0; i < 3; i++) await expect(invoke('slow', loop)).resolves.toMatchObject({ status: 'timeout' });
    const isolates = (runtime as unknown as { isolates: { has(p: (key: string) => boolean): boolean } }).isolates;
    expect(isolates.has((key) => key.startsWith('slow'))).toBe(false);
    await expect(invoke('slow')).resolves.toMatchObject({ status: 'ok' });
  });
});
