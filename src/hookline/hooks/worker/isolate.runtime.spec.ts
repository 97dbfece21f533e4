import { compatRuntimeFile } from '../compat/compat-runtime';
import { CompatScripts } from './compat.scripts';
import { prepareHookSource } from '../compat/hook-script';
import { IsolateRuntime } from './isolate.runtime';
import { PIPELINE_MS } from './fair-share';
import { FORM_CHANGED, type FromWorker, type InvokeMessage } from '../host/sandbox.protocol';

describe('IsolateRuntime', () => {
  // Resolves once the invocation is over (its result says so, or an `end` follows it), with its result.
  const results = new Map<number, (m: FromWorker) => void>();
  const pending = new Map<number, FromWorker>();
  const logs = new Map<number, string[]>();
  /** The invocations whose result went out, in the order it did. */
  const sent: number[] = [];
  /** The forms the runtime reported, as it loaded scripts. */
  const forms: Array<Extract<FromWorker, { t: 'form' }>> = [];
  const onMessage = (m: FromWorker) => {
    if (m.t === 'form') forms.push(m);
    if (m.t === 'result') sent.push(m.id);
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

  // Every test starts with no tenant isolates, whatever the one before it left (a failed one included).
  afterEach(() => runtime.evictIdle(Number.POSITIVE_INFINITY, 0));
  afterAll(() => runtime.disposeSpare());

  it("says each script's form once per load, and refuses an invocation sent for another form than the script has now", async () => {
    // 64 MB: the tenant's first hook takes the spare isolate's prepared context.
    const callback = { hookId: 'forms/hook/cb', hash: 'cb1', memoryMb: 64, script: prepareHookSource('module.exports = function (user, context, cb) { cb(null, user.id); };', 'cb.js') };
    const reports = () => forms.filter((f) => f.hookId === 'forms/hook/cb').map((f) => f.form);
    await expect(invoke('forms', { ...callback, payload: '{"user":{"id":"u1"},"context":{}}', parts: 'hooks' })).resolves.toMatchObject({ status: 'ok', response: 'u1' });
    await expect(invoke('forms', { ...callback, payload: '{"user":{"id":"u2"},"context":{}}', parts: 'hooks' })).resolves.toMatchObject({ status: 'ok', response: 'u2' });
    expect(forms.filter((f) => f.hookId === 'forms/hook/cb')).toEqual([{ t: 'form', hookId: 'forms/hook/cb', hash: 'cb1', form: 'hooks' }]);
    // As if the app had been told 'actions' by an earlier load of a script whose exports change: the hook
    // does not run without its arguments, and the app is told the form again (it sends the call again).
    const wrong = await invoke('forms', { ...callback, payload: '{"actionsEvent":{}}', parts: 'actions' });
    expect(wrong).toMatchObject({ status: 'error', refused: true, error: { name: FORM_CHANGED, message: expect.stringContaining('an Auth0 Hooks function (user, context, cb) when loaded again') } });
    expect(reports()).toEqual(['hooks', 'hooks']);
    // A context loaded again (its isolate evicted) says it again.
    runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
    await expect(invoke('forms', { ...callback, payload: '{"user":{"id":"u3"},"context":{}}', parts: 'hooks' })).resolves.toMatchObject({ status: 'ok', response: 'u3' });
    expect(reports()).toEqual(['hooks', 'hooks', 'hooks']);

    const action = { hookId: 'forms/hook/action', hash: 'a1', script: prepareHookSource('exports.onExecutePostUserRegistration = async (event) => event.user.email;', 'a.js') };
    await expect(invoke('forms', { ...action, payload: '{"actionsEvent":{"user":{"email":"ada@example.com"}}}', parts: 'actions' })).resolves.toMatchObject({ status: 'ok' });
    expect(forms.filter((f) => f.hookId === 'forms/hook/action')).toEqual([{ t: 'form', hookId: 'forms/hook/action', hash: 'a1', form: 'actions' }]);
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
  });

  it('sends the result of a hook that completed at once without waiting for the next one started with it', async () => {
    const mixed = {
      hookId: 'mixed/hook/m',
      hash: 'mixed',
      script: prepareHookSource('module.exports = function (u, c, cb) { console.log("run " + u.n); if (u.n === 1) for (;;) {} cb(null, u.n); };', 'm.js'),
      timeoutMs: 500,
    };
    const call = (n: number, timeoutMs = mixed.timeoutMs) => invoke('mixed', { ...mixed, timeoutMs, payload: `{"user":{"n":${n}},"context":{}}` });
    // Quick starts so far: its next invocations start together (one turn, one context). How many may start
    // together follows the tenant's recent start times, a moving average that the first start (which
    // creates the context) weighs on until quick ones outweigh it: on a busy machine that takes more than a
    // few, so this warms up until three fit, rather than for a fixed count.
    const lanes = (runtime as unknown as { fairShare: { lanes: Map<string, { startMs?: number }> } }).fairShare.lanes;
    const pipelined = () => (lanes.get('mixed')?.startMs ?? Number.POSITIVE_INFINITY) * 3 <= PIPELINE_MS;
    for (let i = 0; i < 3 || (i < 40 && !pipelined()); i++) await expect(call(0)).resolves.toMatchObject({ status: 'ok' });
    expect(pipelined()).toBe(true);
    const first = id + 1;
    // The second loops until it is cut short at its timeout; the third waits behind it in the isolate and
    // its own, much shorter, time runs out there (long before the second's: no race with the loop's end). The
    // first completed before either ran: its result must not wait for them.
    const outcomes = await Promise.all([call(0), call(1, 1_500), call(2, 100)]);
    expect(outcomes.map((o) => (o as { status: string }).status)).toEqual(['ok', 'timeout', 'timeout']);
    expect(outcomes[0]).toMatchObject({ response: 0 });
    expect(sent.slice(-3)).toEqual([first, first + 2, first + 1]);
    expect(logs.get(first)).toEqual(['run 0']);
    expect(logs.get(first + 1)).toEqual(['run 1']);
  });

  it('keeps one isolate per tenant and evicts idle ones', async () => {
    for (const tenant of ['a', 'b', 'c', 'a']) await expect(invoke(tenant)).resolves.toMatchObject({ status: 'ok' });
    expect(runtime.isolateCount).toBe(3);
    runtime.evictIdle(performance.now() + 10_000, 5_000);
    expect(runtime.isolateCount).toBe(0);
    await expect(invoke('a')).resolves.toMatchObject({ status: 'ok' });
  });

  it('leaves the isolate of a hook that timed out waiting (cb never called) idle, to be evicted', async () => {
    const waits = { hookId: 'waits/hook/w', hash: 'waits', script: prepareHookSource('module.exports = function (u, c, cb) {};', 'w.js'), timeoutMs: 100 };
    await expect(invoke('waits', waits)).resolves.toMatchObject({ status: 'timeout' });
    expect(runtime.isolateCount).toBe(1);
    // In use by nothing: an idle sweep disposes it (one counted as in use would stay).
    runtime.evictIdle(Number.POSITIVE_INFINITY, 0);
    expect(runtime.isolateCount).toBe(0);
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
