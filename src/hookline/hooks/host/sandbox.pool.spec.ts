import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { affinity, SandboxPool } from './sandbox.pool';
import type { HookInvocation, HookLogEntry } from './sandbox.types';

function script(source: string, filename = 'hook.js') {
  return { filename, source, hash: createHash('sha256').update(source).digest('hex') };
}

const input = {
  user: { id: 'u1', email: 'ada@example.com', tenant: 'acme' },
  context: { requestLanguage: 'en', connection: { id: 'con_1', name: 'db', tenant: 'acme' } },
  actionsEvent: { user: { user_id: 'u1', email: 'ada@example.com' }, tenant: { id: 'acme' } },
  eventId: 'evt_1',
};

describe('SandboxPool', () => {
  const pool = new SandboxPool({ size: 1 });
  afterAll(() => pool.close());

  const run = (source: string, extra: Partial<HookInvocation> = {}) =>
    pool.invoke({
      tenant: 'acme',
      hookId: 'acme/hook/' + createHash('sha1').update(source).digest('hex').slice(0, 8),
      script: script(source),
      input,
      secrets: { API_KEY: 'sk_live_123456' },
      allowHosts: [],
      timeoutMs: 2000,
      memoryMb: 32,
      ...extra,
    });

  it('runs an Auth0 callback hook with user, context and secrets', async () => {
    const result = await run(`module.exports = function (user, context, cb) {
      console.log('hello', user.email, context.connection.name);
      cb(null, { key: context.webtask.secrets.API_KEY === context.secrets.API_KEY });
    };`);
    expect(result).toMatchObject({ status: 'ok', response: { key: true }, error: null });
    expect(result.logs).toEqual([{ level: 'log', message: 'hello ada@example.com db' }]);
  });

  it('runs an async hook and an Actions hook', async () => {
    await expect(run('module.exports = async function (user) { return user.id; };')).resolves.toMatchObject({ status: 'ok', response: 'u1' });
    const actions = await run(`exports.onExecutePostUserRegistration = async (event, api) => {
      api.cache.set('k', 'v');
      console.info(event.user.email, event.secrets.API_KEY, api.cache.get('k').value);
    };`);
    expect(actions).toMatchObject({ status: 'ok', logs: [{ level: 'info', message: 'ada@example.com [REDACTED] v' }] });
  });

  it('reports a thrown error, a timeout and a syntax error', async () => {
    await expect(run('module.exports = async () => { throw new RangeError("nope"); };')).resolves.toMatchObject({
      status: 'error',
      error: { name: 'RangeError', message: 'nope' },
    });
    await expect(run('module.exports = function (u, c, cb) {};', { timeoutMs: 300 })).resolves.toMatchObject({ status: 'timeout' });
    await expect(run('module.exports = function (u, c, cb) { while (true) {} };', { timeoutMs: 300 })).resolves.toMatchObject({ status: 'timeout' });
    const syntax = await run('module.exports = function (\n{');
    expect(syntax).toMatchObject({ status: 'error', error: { name: 'SyntaxError' } });
  });

  it('keeps module-level state between invocations of a hook, and recompiles a changed script', async () => {
    const v1 = 'let n = 0; module.exports = async () => ++n;';
    const call = (source: string) => run(source, { hookId: 'acme/hook/counter' });
    await expect(call(v1)).resolves.toMatchObject({ response: 1 });
    await expect(call(v1)).resolves.toMatchObject({ response: 2 });
    const v2 = 'let n = 100; module.exports = async () => ++n;';
    await expect(call(v2)).resolves.toMatchObject({ response: 101 });
  });

  it('runs hooks of one tenant concurrently, each with its own secrets and logs', async () => {
    const source = 'module.exports = async (user, context) => { await new Promise((r) => setTimeout(r, 20)); console.log(context.secrets.N); return context.secrets.N; };';
    const results = await Promise.all(
      ['1', '2', '3', '4'].map((n) => run(source, { hookId: 'acme/hook/concurrent', secrets: { N: n } })),
    );
    expect(results.map((r) => [r.response, r.logs[0].message])).toEqual([['1', '1'], ['2', '2'], ['3', '3'], ['4', '4']]);
  });

  it("sends each hook only what its script's form reads, once the worker said which form it has", async () => {
    pool.warmUp();
    type Internals = { workers: Array<{ child: { send: (...args: unknown[]) => boolean }; forms: Map<string, { hash: string; form: string }> }> };
    const worker = (pool as unknown as Internals).workers[0];
    const sent: Array<{ payload: string; parts?: string }> = [];
    const send = worker.child.send;
    worker.child.send = (batch: unknown, ...rest: unknown[]) => {
      for (const m of batch as Array<{ t: string; payload: string; parts?: string }>) if (m.t === 'invoke') sent.push(m);
      return send.call(worker.child, batch, ...rest);
    };
    try {
      const hooks = `module.exports = function (user, context, cb) {
        cb(null, [user.email, context.connection.name, context.webtask.headers['x-hookline-event-id']]);
      };`;
      const actions = 'exports.onExecutePostUserRegistration = async (event) => { console.log(event.user.email, event.tenant.id); };';
      for (let i = 0; i < 2; i++) {
        await expect(run(hooks)).resolves.toMatchObject({ status: 'ok', response: ['ada@example.com', 'db', 'evt_1'] });
        await expect(run(actions)).resolves.toMatchObject({ status: 'ok', logs: [{ message: 'ada@example.com acme' }] });
      }
      const keys = () => sent.map((m) => [Object.keys(JSON.parse(m.payload)).sort(), m.parts]);
      // The first call of each: everything (the form is not known yet); then only its half.
      expect(keys()).toEqual([
        [['actionsEvent', 'context', 'eventId', 'user'], undefined],
        [['actionsEvent', 'context', 'eventId', 'user'], undefined],
        [['context', 'eventId', 'user'], 'hooks'],
        [['actionsEvent'], 'actions'],
      ]);

      // Told the wrong form (as by an earlier load of a script whose exports change): the worker refuses
      // the half, and the pool sends the same call again with everything; the hook runs once.
      const hookId = 'acme/hook/' + createHash('sha1').update(hooks).digest('hex').slice(0, 8);
      worker.forms.set(hookId, { ...worker.forms.get(hookId)!, form: 'actions' });
      sent.length = 0;
      await expect(run(hooks)).resolves.toMatchObject({ status: 'ok', response: ['ada@example.com', 'db', 'evt_1'], logs: [] });
      expect(keys()).toEqual([
        [['actionsEvent'], 'actions'],
        [['actionsEvent', 'context', 'eventId', 'user'], undefined],
      ]);
      expect(worker.forms.get(hookId)?.form).toBe('hooks');
    } finally {
      worker.child.send = send;
    }
  });

  it('runs a hook that throws an error named like the refusal once: only the worker says an invocation was refused', async () => {
    const result = await run(`let n = 0; module.exports = async () => {
      console.log('run ' + ++n);
      throw Object.assign(new Error('not a refusal'), { name: 'SandboxFormChangedError' });
    };`);
    expect(result).toMatchObject({ status: 'error', error: { name: 'SandboxFormChangedError', message: 'not a refusal' } });
    expect(result.logs.map((l) => l.message)).toEqual(['run 1']);
  });

  it('sends a line a hook logs while it still runs before its result, not with it', async () => {
    const seen: Array<{ what: string; at: number }> = [];
    const started = performance.now();
    const result = await run('module.exports = function (u, c, cb) { console.log("working"); setTimeout(() => cb(null, "done"), 800); };', {
      onLog: () => seen.push({ what: 'log', at: performance.now() - started }),
    });
    seen.push({ what: 'result', at: performance.now() - started });
    expect(result).toMatchObject({ status: 'ok', response: 'done', logs: [{ message: 'working' }] });
    expect(seen.map((s) => s.what)).toEqual(['log', 'result']);
    // It goes out in the turn the hook wrote it, not with the result 800 ms later.
    expect(seen[1].at - seen[0].at).toBeGreaterThan(400);
  });

  it('ignores timers set past the invocation time', async () => {
    const result = await run('module.exports = function (u, c, cb) { setTimeout(() => console.log("late"), 60000); cb(); };');
    expect(result).toMatchObject({ status: 'ok', logs: [] });
  });

  describe('work left running after cb', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((req, res) => setTimeout(() => res.writeHead(req.url === '/fail' ? 500 : 200).end('done'), 100));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => server.close());

    it('completes the delivery at cb while a fetch carries on; its failure is logged later', async () => {
      const late: HookLogEntry[] = [];
      const source = `module.exports = function (u, c, cb) { fetch('http://127.0.0.1:${port}/fail').then((r) => console.log('status', r.status)); cb(); };`;
      const result = await run(source, { allowHosts: [`127.0.0.1:${port}`], onLog: (e) => late.push(e) });
      expect(result).toMatchObject({ status: 'ok', logs: [] });
      // The request's answer comes 100 ms after cb(); its lines follow: waited for, however busy the machine.
      for (const deadline = Date.now() + 10_000; late.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      expect(late).toEqual([
        { level: 'warn', message: '[hookline] a request started by the hook answered 500 after it completed' },
        { level: 'log', message: 'status 500' },
      ]);
    });
  });

  it('restarts a crashed worker: its in-flight invocations fail as retryable, the next one runs', async () => {
    const slow = run('module.exports = function (u, c, cb) { setTimeout(cb, 1500); };', { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 200));
    const worker = (pool as unknown as { workers: Array<{ child: { pid: number } }> }).workers[0];
    process.kill(worker.child.pid, 'SIGKILL');
    const crashed = await slow;
    expect(crashed).toMatchObject({ status: 'error', crashed: true, error: { name: 'SandboxCrashError' } });
    expect(crashed.error?.message).toContain('killed by SIGKILL');
    await expect(run('module.exports = async () => "alive";')).resolves.toMatchObject({ status: 'ok', response: 'alive' });
  });

  type ChildHandle = { pid: number; once(event: 'disconnect', listener: () => void): void; disconnect(): void };
  const workerChild = () => (pool as unknown as { workers: Array<{ child: ChildHandle } | undefined> }).workers[0]?.child;
  const child = () => workerChild()!;

  it('fails an invocation sent to a worker as it dies with the cause of its death, not as unreachable', async () => {
    // The pool learns of a death at 'close', which waits for the exit and both pipes; an invocation started
    // when the channel closed (before that, almost always) cannot be sent. Where 'close' came first, the
    // invocation went to a new worker and proves nothing: the death is staged again (three times at most).
    for (let tries = 0; tries < 3; tries++) {
      await run('module.exports = async () => "warm";');
      const dying = child();
      const sent = new Promise<Awaited<ReturnType<typeof run>> | undefined>((resolve) =>
        dying.once('disconnect', () => resolve(workerChild() === dying ? run('module.exports = async () => "late";') : undefined)),
      );
      process.kill(dying.pid, 'SIGKILL');
      const result = await sent;
      if (!result) continue;
      expect(result).toMatchObject({ status: 'error', crashed: true, error: { name: 'SandboxCrashError' } });
      expect(result.error?.message).toContain('killed by SIGKILL');
      await expect(run('module.exports = async () => "alive";')).resolves.toMatchObject({ status: 'ok', response: 'alive' });
      return;
    }
    throw new Error("the pool saw each worker's death before its channel closed, three times: the case was never staged");
  });

  it('fails an invocation it cannot send to a worker that does not exit, after a short wait, and replaces the worker', async () => {
    await run('module.exports = async () => "warm";');
    const stuck = child();
    process.kill(stuck.pid, 'SIGSTOP'); // alive, and never exits on its own while stopped
    // Closed from this side, the channel never counts toward the child's 'close': the pool never sees this
    // worker exit, even once killed. What replaces it is the place it leaves.
    stuck.disconnect();
    const result = await run('module.exports = async () => "unsent";');
    expect(result).toMatchObject({ status: 'error', crashed: true, error: { name: 'SandboxCrashError' } });
    expect(result.error?.message).toMatch(/^could not reach the sandbox worker: /);
    await expect(run('module.exports = async () => "alive";')).resolves.toMatchObject({ status: 'ok', response: 'alive' });
    expect(child().pid).not.toBe(stuck.pid);
  });
});

describe('SandboxPool: a worker slow to start', () => {
  const invocation = (timeoutMs: number): HookInvocation => ({
    tenant: 'acme',
    hookId: 'acme/hook/slow-start',
    script: script('module.exports = async () => "after a slow start";'),
    input,
    secrets: {},
    allowHosts: [],
    timeoutMs,
    memoryMb: 32,
  });
  const firstChild = (pool: SandboxPool) => (pool as unknown as { workers: Array<{ child: { pid: number } } | undefined> }).workers[0]!.child;

  it("does not count its start against the invocations sent meanwhile: they run once it is ready", async () => {
    const pool = new SandboxPool({ size: 1 });
    try {
      pool.warmUp();
      // Stopped before it can load anything: a start that takes 3.5 s, much longer than timeout + grace (2 s).
      const child = firstChild(pool);
      process.kill(child.pid, 'SIGSTOP');
      const result = pool.invoke(invocation(1_000));
      await new Promise((r) => setTimeout(r, 3_500));
      process.kill(child.pid, 'SIGCONT');
      await expect(result).resolves.toMatchObject({ status: 'ok', response: 'after a slow start' });
      expect(firstChild(pool).pid).toBe(child.pid);
    } finally {
      await pool.close();
    }
  });

  it('kills a worker that does not start in time: its invocations fail as retryable crashes, the next one runs on a new worker', async () => {
    const logs: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    // Long enough for the replacement to start on a busy machine, which it must within the same limit.
    const pool = new SandboxPool({ size: 1, workerStartTimeoutMs: 4_000, log: (_level, message, fields) => logs.push({ message, fields }) });
    try {
      pool.warmUp();
      const stuck = firstChild(pool);
      process.kill(stuck.pid, 'SIGSTOP');
      const result = await pool.invoke(invocation(60_000));
      expect(result).toMatchObject({ status: 'error', crashed: true, error: { name: 'SandboxCrashError' } });
      expect(result.error?.message).toContain('killed: it did not start within 4000 ms');
      expect(logs.map((l) => l.message)).toContain('sandbox worker could not start');
      await expect(pool.invoke(invocation(5_000))).resolves.toMatchObject({ status: 'ok', response: 'after a slow start' });
      expect(firstChild(pool).pid).not.toBe(stuck.pid);
    } finally {
      await pool.close();
    }
  });

  it('refuses a start timeout that is not a positive integer, naming the option', () => {
    expect(() => new SandboxPool({ workerStartTimeoutMs: 0 })).toThrow('SandboxPool: workerStartTimeoutMs must be a positive integer (ms), received 0');
  });
});

describe('affinity', () => {
  it('keeps a tenant on one worker and spreads tenants over all of them', () => {
    const tenants = Array.from({ length: 40 }, (_, i) => `tenant-${i}`);
    expect(tenants.map((t) => affinity(t, 2))).toEqual(tenants.map((t) => affinity(t, 2)));
    expect(new Set(tenants.map((t) => affinity(t, 4)))).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe('worker recycling', () => {
  it('replaces a worker whose memory passed its bound, once its invocations are done', async () => {
    const pool = new SandboxPool({ size: 1, workerMaxRssMb: 1 });
    const workerPid = () => (pool as unknown as { workers: Array<{ child: { pid: number } } | undefined> }).workers[0]?.child.pid;
    try {
      const call = () =>
        pool.invoke({ tenant: 'acme', hookId: 'acme/hook/r', script: script('module.exports = async () => "ok";'), input, secrets: {}, allowHosts: [], timeoutMs: 2000, memoryMb: 16 });
      const firstCall = call();
      const first = workerPid();
      await expect(firstCall).resolves.toMatchObject({ status: 'ok' });
      await new Promise((r) => setTimeout(r, 100));
      const secondCall = call();
      const second = workerPid();
      await expect(secondCall).resolves.toMatchObject({ status: 'ok', response: 'ok' });
      expect(first).toEqual(expect.any(Number));
      expect(second).toEqual(expect.any(Number));
      expect(second).not.toBe(first);
    } finally {
      await pool.close();
    }
  });

  it('retires the worker of an isolate stuck past its timeout before it reports the timeout; a waiting hook keeps its worker', async () => {
    const pool = new SandboxPool({ size: 1 });
    const workerPid = () => (pool as unknown as { workers: Array<{ child: { pid: number } } | undefined> }).workers[0]?.child.pid;
    const call = (source: string, tenant: string, timeoutMs = 300, secrets: Record<string, string> = {}) =>
      pool.invoke({ tenant, hookId: `${tenant}/hook/${script(source).hash.slice(0, 8)}`, script: script(source), input, secrets, allowHosts: [], timeoutMs, memoryMb: 32 });
    try {
      // Calls cb only when told to: otherwise the isolate waits, idle, and its timeout says nothing about the
      // worker. Warmed first (a cold worker and context may still be loading when a 300 ms deadline hits).
      const waiter = 'module.exports = function (user, context, cb) { if (context.secrets.GO) cb(null, 1); };';
      await expect(call(waiter, 'idle', 10_000, { GO: '1' })).resolves.toMatchObject({ status: 'ok' });
      const first = workerPid();
      await expect(call(waiter, 'idle')).resolves.toMatchObject({ status: 'timeout' });
      expect(workerPid()).toBe(first);

      // An allocation V8 cannot interrupt (Node 24+) or a heap past its limit: by the time the result is
      // in, the worker that ran it is no longer the one the next hook goes to.
      const stuck = await call(`module.exports = async () => 'x'.repeat(2 ** 28).split('').length;`, 'stuck');
      expect(['timeout', 'memory_limit', 'error']).toContain(stuck.status);
      expect(workerPid()).not.toBe(first);
      await expect(call('module.exports = async () => "ok";', 'after', 10_000)).resolves.toMatchObject({ status: 'ok', response: 'ok' });
    } finally {
      await pool.close();
    }
  });
});
