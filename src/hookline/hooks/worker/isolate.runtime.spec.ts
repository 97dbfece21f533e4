import { compatRuntimeFile } from '../compat/compat-runtime';
import { CompatScripts } from './compat.scripts';
import { prepareHookSource } from '../compat/hook-script';
import { IsolateRuntime } from './isolate.runtime';
import type { FromWorker, InvokeMessage } from '../host/sandbox.protocol';

describe('IsolateRuntime', () => {
  // Resolves once the invocation is over (its result says so, or an `end` follows it), with its result.
  const results = new Map<number, (m: FromWorker) => void>();
  const pending = new Map<number, FromWorker>();
  const logs = new Map<number, string[]>();
  const onMessage = (m: FromWorker) => {
    if (m.t === 'log') logs.set(m.id, [...(logs.get(m.id) ?? []), m.message]);
    else if (m.t === 'result' && !m.ended) pending.set(m.id, m);
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

  it('ends invocations started together once each completed, after the work their microtasks started', async () => {
    // A request chain a few promise hops after the call, cb() right away (Auth0's Slack sample): what the
    // chain starts still runs before the invocation ends.
    const late = {
      hookId: 'burst/hook/late',
      hash: 'late',
      script: prepareHookSource(
        'module.exports = function (u, c, cb) { Promise.resolve().then(() => 0).then(() => setTimeout(() => console.log("late " + u.n), 5)); cb(null, u.n); };',
        'late.js',
      ),
    };
    const ids = Array.from({ length: 16 }, (_, i) => id + 1 + i);
    const outcomes = await Promise.all(ids.map((_, n) => invoke('burst', { ...late, payload: `{"user":{"n":${n}},"context":{}}` })));
    outcomes.forEach((outcome, n) => expect(outcome).toMatchObject({ status: 'ok', response: n }));
    ids.forEach((invocationId, n) => expect(logs.get(invocationId)).toEqual([`late ${n}`]));
    // And a hook that completes at once, 16 at a time, twice (the second burst in a warm context).
    for (let round = 0; round < 2; round++) {
      const quick = await Promise.all(Array.from({ length: 16 }, () => invoke('burst')));
      quick.forEach((outcome) => expect(outcome).toMatchObject({ status: 'ok', response: 'ok' }));
    }
    runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
  });

  it('sends the result of a hook that completed at once without waiting for the next one started with it', async () => {
    const mixed = {
      hookId: 'mixed/hook/m',
      hash: 'mixed',
      script: prepareHookSource('module.exports = function (u, c, cb) { console.log("run " + u.n); if (u.n === 1) for (;;) {} cb(null, u.n); };', 'm.js'),
      timeoutMs: 500,
    };
    const call = (n: number) => invoke('mixed', { ...mixed, payload: `{"user":{"n":${n}},"context":{}}` });
    // Quick starts so far: its next invocations start together (one turn, one context).
    for (let i = 0; i < 3; i++) await expect(call(0)).resolves.toMatchObject({ status: 'ok' });
    const first = id + 1;
    // The second loops until it is cut short at its timeout; the third waits behind it in the isolate and
    // its time runs out there. The first completed before either ran: its result must not wait for them.
    const outcomes = await Promise.all([0, 1, 2].map(call));
    expect(outcomes.map((o) => (o as { status: string }).status)).toEqual(['ok', 'timeout', 'timeout']);
    expect(outcomes[0]).toMatchObject({ response: 0 });
    expect(logs.get(first)).toEqual(['run 0']);
    expect(logs.get(first + 1)).toEqual(['run 1']);
    runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
  });

  it('keeps one isolate per tenant and evicts idle ones', async () => {
    for (const tenant of ['a', 'b', 'c', 'a']) await expect(invoke(tenant)).resolves.toMatchObject({ status: 'ok' });
    expect(runtime.isolateCount).toBe(3);
    runtime.evictIdle(performance.now() + 10_000, 5_000);
    expect(runtime.isolateCount).toBe(0);
    await expect(invoke('a')).resolves.toMatchObject({ status: 'ok' });
  });

  it('replaces an isolate that timed out repeatedly', async () => {
    const loop = { hookId: 'slow/hook/loop', hash: 'loop', script: prepareHookSource('module.exports = function () { for (;;) {} };', 'loop.js'), timeoutMs: 100 };
    const before = runtime.isolateCount;
    for (let i = 0; i < 3; i++) await expect(invoke('slow', loop)).resolves.toMatchObject({ status: 'timeout' });
    expect(runtime.isolateCount).toBe(before); // the tenant's isolate is gone
    await expect(invoke('slow')).resolves.toMatchObject({ status: 'ok' });
    expect(runtime.isolateCount).toBe(before + 1);
  });
});
