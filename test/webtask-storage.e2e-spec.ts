/**
 * Auth0's `context.webtask.storage`: get/set with the conflict rule, the 500 KB limit, per tenant and
 * hook; through the Runner (a real worker process and isolate), through deliveries of the module (inline:
 * memory; bullmq: Redis), and the Redis storage itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createUserRegisteredEvent, type HookStorage } from 'hookline';
import { isRunnerOutput, loadRunnerScript, runHookOnce, type RunnerOutput } from '../src/hookline/hooks/hook-runner';
import { SandboxPool } from '../src/hookline/hooks/host/sandbox.pool';
import { toHookInput } from '../src/hookline/hooks/hook-input';
import { eventFromPayload } from '../src/hookline/hooks/hook-input';
import { MemoryHookStorage } from '../src/hookline/hooks/storage/memory-hook-storage';
import { RedisHookStorage } from '../src/hookline/hooks/storage/redis-hook-storage';
import type { HookScript } from '../src/hookline/hooks/host/sandbox.types';
import { compatAnswer } from './support/compat/compat-answers';
import { Receiver } from './support/receiver';
import { HooklineTestApp } from './support/hookline-test-app';
import { redisUrlOrSkip } from './support/services';
import { deleteKeys } from './support/redis';

const COUNTER = `module.exports = function (user, context, cb) {
  var storage = context.webtask.storage;
  storage.get(function (error, data) {
    if (error) return cb(error);
    data = data || { count: 0 };
    data.count++;
    storage.set(data, function (error) {
      if (error) return cb(error);
      fetch(context.webtask.secrets.BASE_URL + '/count', { method: 'POST', body: JSON.stringify({ user: user.email, count: data.count }) })
        .then(function () { cb(null, data.count); }, cb);
    });
  });
};
`;

let dir: string;
let receiver: Receiver;

function script(name: string, source: string): HookScript {
  const path = join(dir, name);
  writeFileSync(path, source);
  const loaded = loadRunnerScript(path, name);
  if (isRunnerOutput(loaded)) throw new Error(`${name}: ${loaded.error?.message}`);
  return loaded;
}

const limits = () => ({ secrets: { BASE_URL: receiver.url }, allowHosts: [new URL(receiver.url).host], timeoutMs: 5_000, memoryMb: 64 });
const payload = { user: { id: 'u1', email: 'ada@example.com', tenant: 'acme' } };
const run = (s: HookScript, storage: HookStorage, hookId = 'acme/counter', timeoutMs = 5_000): Promise<RunnerOutput> =>
  runHookOnce(s, hookId, payload, { ...limits(), timeoutMs }, { storage });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-storage-'));
  receiver = await Receiver.start({ answer: compatAnswer });
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => receiver.reset());

describe('context.webtask.storage through the Runner', () => {
  it('keeps a counter across runs of one hook, and apart for another hook', async () => {
    const storage = new MemoryHookStorage();
    const counter = script('counter.js', COUNTER);
    for (const expected of [1, 2, 3]) expect(await run(counter, storage)).toMatchObject({ status: 'ok', response: expected });
    expect(await run(counter, storage, 'acme/other')).toMatchObject({ status: 'ok', response: 1 });
    expect(receiver.requests.map((r) => JSON.parse(r.body).count)).toEqual([1, 2, 3, 1]);
    expect(await storage.read({ tenant: 'acme', hook: 'acme/counter' })).toMatchObject({ data: '{"count":3}' });
  });

  it('fails a set with code 409 when another run wrote since this run read, and force writes anyway', async () => {
    const storage = new MemoryHookStorage();
    // Run A reads, then waits on a slow request; run B reads and writes meanwhile; A's set conflicts.
    const slow = script('slow.js', `module.exports = function (user, context, cb) {
  var storage = context.webtask.storage;
  storage.get(function (error, data) {
    fetch(context.webtask.secrets.BASE_URL + '/slow-wait').then(function () {
      storage.set({ by: 'A' }, function (error) {
        console.log('conflict', error && error.code, error && error.message);
        storage.set({ by: 'A', forced: true }, { force: 1 }, function (error2) { cb(error2, error && error.code); });
      });
    });
  });
};
`);
    const quick = script('quick.js', `module.exports = function (user, context, cb) {
  context.webtask.storage.get(function (e, data) { context.webtask.storage.set({ by: 'B', saw: data || null }, cb); });
};
`);
    receiver.answer = ({ path }) => (path === '/slow-wait' ? { status: 200, body: 'ok', delayMs: 4_000 } : { status: 200, body: 'ok' });
    try {
      const first = run(slow, storage, 'acme/shared', 15_000);
      await receiver.waitFor(1, 5_000);
      expect(await run(quick, storage, 'acme/shared')).toMatchObject({ status: 'ok' });
      const outcome = await first;
      expect(outcome).toMatchObject({ status: 'ok', response: 409 });
      expect(outcome.logs.map((l) => l.message).join('\n')).toMatch(/^conflict 409 storage\.set: conflict: another run of this hook wrote its storage since this run read it/);
      expect(JSON.parse((await storage.read({ tenant: 'acme', hook: 'acme/shared' }))!.data)).toEqual({ by: 'A', forced: true });
    } finally {
      receiver.answer = () => receiver.fallback;
    }
  });

  it('refuses more than 500 KB with a clear error (code 413), and takes just under it; promises without a callback', async () => {
    const storage = new MemoryHookStorage();
    const big = script('big.js', `module.exports = async function (user, context) {
  var storage = context.webtask.storage;
  var error = await storage.set({ blob: 'x'.repeat(600 * 1024) }).catch(function (e) { return e; });
  console.log(error.code, error.message);
  await storage.set({ blob: 'y'.repeat(500 * 1024 - 20) });
  var data = await storage.get();
  return data.blob.length;
};
`);
    const outcome = await run(big, storage);
    expect(outcome).toMatchObject({ status: 'ok', response: 500 * 1024 - 20 });
    expect(outcome.logs[0].message).toBe(`413 storage.set: the data is ${600 * 1024 + 11} bytes as JSON; a hook's storage holds at most 512000 bytes (500 KB)`);
  });

  it('refuses data that is not JSON, through the callback, and the hook handles it', async () => {
    const bad = script('bad.js', `module.exports = function (user, context, cb) {
  var cyclic = {}; cyclic.self = cyclic;
  context.webtask.storage.set(cyclic, function (error) { cb(null, error.code + ' ' + error.message.slice(0, 50)); });
};
`);
    expect(await run(bad, new MemoryHookStorage())).toMatchObject({ status: 'ok', response: expect.stringMatching(/^400 storage\.set: the data cannot be serialised to JSON/) });
  });
});

describe('context.webtask.storage through deliveries (inline transport: memory)', () => {
  it('counts two sign-ups of a tenant in its hook', async () => {
    writeFileSync(join(dir, 'counter.js'), COUNTER);
    const config = join(dir, 'storage.yaml');
    writeFileSync(config, `tenants:\n  acme:\n    hooks:\n      - name: counter\n        script: counter.js\n        secrets: { BASE_URL: "${receiver.url}" }\n        allowHosts: ["${new URL(receiver.url).host}"]\n`);
    const app = await HooklineTestApp.start({ config, sandbox: { workers: 1 } });
    try {
      for (const email of ['ada@example.com', 'bob@example.com']) {
        await app.hookline.publish(createUserRegisteredEvent({ tenant: 'acme', user: { id: email, email } }));
        await receiver.waitFor(email === 'ada@example.com' ? 1 : 2, 10_000);
      }
      expect(receiver.requests.map((r) => JSON.parse(r.body))).toEqual([
        { user: 'ada@example.com', count: 1 },
        { user: 'bob@example.com', count: 2 },
      ]);
    } finally {
      await app.close();
    }
  });
});

const redisUrl = redisUrlOrSkip('webtask storage in Redis');
(redisUrl ? describe : describe.skip)('context.webtask.storage in Redis', () => {
  const prefix = `storage-${process.pid}-${Date.now()}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl!);
  });
  afterAll(async () => {
    // Hash-tagged keys too (`{<prefix>:dest:…}:cap`, the bullmq transport's).
    await deleteKeys(redisUrl!, prefix);
    redis.disconnect();
  });

  it('reads, writes with a version, refuses a stale version, and forces', async () => {
    const storage = new RedisHookStorage(redis, prefix);
    const key = { tenant: 'acme', hook: 'acme/h' };
    expect(await storage.read(key)).toBeUndefined();
    const first = await storage.write(key, '{"a":1}', { version: null });
    expect(first).toMatchObject({ written: true });
    expect(await storage.write(key, '{"a":2}', { version: null })).toEqual({ written: false, conflict: true });
    const v1 = (first as { version: string }).version;
    const second = await storage.write(key, '{"a":2}', { version: v1 });
    expect(second).toMatchObject({ written: true });
    expect(await storage.write(key, '{"a":3}', { version: v1 })).toEqual({ written: false, conflict: true });
    expect(await storage.write(key, '{"a":4}', { force: true })).toMatchObject({ written: true });
    expect(await storage.read(key)).toMatchObject({ data: '{"a":4}' });
    expect(await storage.read({ tenant: 'other', hook: 'acme/h' })).toBeUndefined();
  });

  it('shares a counter between two sandbox pools (two app instances) on the same Redis', async () => {
    const counter = script('counter-redis.js', COUNTER);
    const pools = [new SandboxPool({ size: 1, storage: new RedisHookStorage(redis, prefix) }), new SandboxPool({ size: 1, storage: new RedisHookStorage(redis, prefix) })];
    try {
      const responses: unknown[] = [];
      for (const pool of [...pools, ...pools]) {
        const event = eventFromPayload(payload);
        const result = await pool.invoke({ tenant: 'acme', hookId: 'acme/counter', script: counter, input: toHookInput(event), ...limits() });
        responses.push(result.response);
      }
      expect(responses).toEqual([1, 2, 3, 4]);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('is where the bullmq transport keeps it', async () => {
    writeFileSync(join(dir, 'counter.js'), COUNTER);
    const config = join(dir, 'storage-bullmq.yaml');
    writeFileSync(config, `tenants:\n  acme:\n    hooks:\n      - name: counter\n        script: counter.js\n        secrets: { BASE_URL: "${receiver.url}" }\n        allowHosts: ["${new URL(receiver.url).host}"]\n`);
    const app = await HooklineTestApp.start({ config, sandbox: { workers: 1 }, transport: { type: 'bullmq', url: redisUrl!, prefix } });
    try {
      await app.hookline.publish(createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com' } }));
      await receiver.waitFor(1, 15_000);
      const consumer = 'acme/hook/counter';
      expect(await new RedisHookStorage(redis, prefix).read({ tenant: 'acme', hook: consumer })).toMatchObject({ data: '{"count":1}' });
    } finally {
      await app.close();
    }
  });
});
