import { compatRuntimeFile } from '../sandbox-compat/compat-runtime';
import { CompatScripts } from './compat.scripts';
import { prepareHookSource } from './hook-script';
import { IsolateRuntime } from './isolate.runtime';
import type { FromWorker, InvokeMessage } from './sandbox.protocol';

describe('IsolateRuntime', () => {
  // Resolves once the invocation is over (its result says so, or an `end` follows it), with its result.
  const results = new Map<number, (m: FromWorker) => void>();
  const pending = new Map<number, FromWorker>();
  const onMessage = (m: FromWorker) => {
    if (m.t === 'result' && !m.ended) pending.set(m.id, m);
    else if (m.t === 'result') results.get(m.id)?.(m);
    else if (m.t === 'end' && pending.has(m.id)) results.get(m.id)?.(pending.get(m.id)!);
  };
  const runtime = new IsolateRuntime(onMessage, {
    maxRssMb: 1e6,
    compat: CompatScripts.fromFile(compatRuntimeFile()),
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
        script: prepareHookSource('module.exports = async () => "ok";', 'h.js'),
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

  afterAll(() => {
    runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
    runtime.disposeSpare();
  });

  it('gives the spare isolate to one new tenant only, and never one that ran code', async () => {
    type Owner = { isolate: object };
    const internals = (runtime as unknown as { isolates: { isolates: Map<string, Owner>; spare?: { isolate: object } } }).isolates;
    const counter = {
      hookId: 'x/hook/counter',
      hash: 'counter',
      script: prepareHookSource('module.exports = async () => (globalThis.seen = (globalThis.seen || 0) + 1);', 'counter.js'),
      memoryMb: 64,
    };
    const spareReady = async () => {
      for (let i = 0; i < 100 && !internals.spare; i++) await new Promise((r) => setTimeout(r, 5));
      return internals.spare!.isolate;
    };
    const first = await spareReady();
    await expect(invoke('spare-a', { ...counter, hookId: 'spare-a/hook/counter' })).resolves.toMatchObject({ status: 'ok', response: 1 });
    const ownerA = internals.isolates.get('spare-a\u000064')!.isolate;
    expect(ownerA).toBe(first);
    const second = await spareReady();
    expect(second).not.toBe(first);
    // The next new tenant gets the next spare: a fresh world, not tenant a's.
    await expect(invoke('spare-b', { ...counter, hookId: 'spare-b/hook/counter' })).resolves.toMatchObject({ status: 'ok', response: 1 });
    expect(internals.isolates.get('spare-b\u000064')!.isolate).toBe(second);
    // Tenant a keeps its own isolate, its state intact; the spare is never one that a tenant holds.
    await expect(invoke('spare-a', { ...counter, hookId: 'spare-a/hook/counter' })).resolves.toMatchObject({ status: 'ok', response: 2 });
    const third = await spareReady();
    expect([first, second]).not.toContain(third);
    // Another memory limit than the spare's: a new isolate of its own.
    await expect(invoke('spare-c', { ...counter, hookId: 'spare-c/hook/counter', memoryMb: 32 })).resolves.toMatchObject({ status: 'ok', response: 1 });
    expect(internals.isolates.get('spare-c\u000032')!.isolate).not.toBe(third);
    expect(internals.spare!.isolate).toBe(third);
    runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
  });

  it('keeps one isolate per tenant and evicts idle ones', async () => {
    for (const tenant of ['a', 'b', 'c', 'a']) await expect(invoke(tenant)).resolves.toMatchObject({ status: 'ok' });
    expect(runtime.isolateCount).toBe(3);
    runtime.evictIdle(performance.now() + 10_000, 5_000);
    expect(runtime.isolateCount).toBe(0);
    await expect(invoke('a')).resolves.toMatchObject({ status: 'ok' });
  });

  it('starts invocations of one context that arrive together in one entry; a timeout there fails only the hook that ran', async () => {
    const hook = {
      hookId: 'batch/hook/loop-or-answer',
      hash: 'loop-or-answer',
      script: prepareHookSource('module.exports = function (user, context, cb) { if (user.loop) for (;;) {} cb(null, user.n); };', 'b.js'),
      timeoutMs: 300,
    };
    await expect(invoke('batch', { ...hook, payload: '{"user":{"n":0},"context":{}}' })).resolves.toMatchObject({ status: 'ok' });
    const messages: FromWorker[] = [];
    const runtimeMessages = (runtime as unknown as { emit: (m: FromWorker) => void }).emit;
    const spy = (m: FromWorker) => {
      messages.push(m);
      runtimeMessages(m);
    };
    (runtime as unknown as { emit: (m: FromWorker) => void }).emit = spy;
    try {
      // Queued in one turn: one batch entry, under the earliest timeout. The second loops: it times out;
      // the first completed before it (its result does not wait for the loop to end); the ones after it
      // had not started: they run next, under their own timeout.
      const outcomes = await Promise.all(
        [1, 2, 3, 4].map((n) => invoke('batch', { ...hook, timeoutMs: n === 2 ? 300 : 2000, payload: JSON.stringify({ user: { n, loop: n === 2 }, context: {} }) })),
      );
      expect(outcomes.map((o) => (o.t === 'result' ? [o.status, o.response] : o.t))).toEqual([
        ['ok', 1],
        ['timeout', null],
        ['ok', 3],
        ['ok', 4],
      ]);
      // A hook that started nothing ends with its result: one message, no `end` after it.
      const ids = outcomes.map((o) => (o.t === 'result' ? o.id : -1));
      const sent = (id: number) => messages.filter((m) => 'id' in m && m.id === id).map((m) => (m.t === 'result' && m.ended ? 'result+end' : m.t));
      for (const id of [ids[2], ids[3]]) expect(sent(id)).toEqual(['result+end']);
      // The first one's result did not wait for the loop to end (RESULT_GRACE_MS): its end came later.
      expect(sent(ids[0])).toEqual(['result', 'end']);
    } finally {
      (runtime as unknown as { emit: (m: FromWorker) => void }).emit = runtimeMessages;
    }
  });

  it('replaces an isolate that timed out repeatedly', async () => {
    const loop = { hookId: 'slow/hook/loop', hash: 'loop', script: prepareHookSource('module.exports = function () { for (;;) {} };', 'loop.js'), timeoutMs: 100 };
    for (let i = 0; i < 3; i++) await expect(invoke('slow', loop)).resolves.toMatchObject({ status: 'timeout' });
    const isolates = (runtime as unknown as { isolates: { has(p: (key: string) => boolean): boolean } }).isolates;
    expect(isolates.has((key) => key.startsWith('slow'))).toBe(false);
    await expect(invoke('slow')).resolves.toMatchObject({ status: 'ok' });
  });
});
