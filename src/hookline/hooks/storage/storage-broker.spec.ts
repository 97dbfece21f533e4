import { HOOK_STORAGE_LIMITS } from './hook-storage';
import { MemoryHookStorage } from './memory-hook-storage';
import { serveStorage, type StorageSession } from './storage-broker';

const key = { tenant: 'acme', hook: 'acme/hook/counter' };
const get = JSON.stringify({ op: 'get' });
const set = (data: unknown, force = false) => JSON.stringify({ op: 'set', data: JSON.stringify(data), force });

describe('serveStorage', () => {
  it('reads nothing, then what a run wrote; another hook or tenant sees nothing', async () => {
    const storage = new MemoryHookStorage();
    const run: StorageSession = {};
    expect(await serveStorage(storage, key, run, get)).toEqual({ data: null });
    expect(await serveStorage(storage, key, run, set({ n: 1 }))).toEqual({ ok: true });
    expect(await serveStorage(storage, key, {}, get)).toEqual({ data: '{"n":1}' });
    expect(await serveStorage(storage, { ...key, hook: 'acme/hook/other' }, {}, get)).toEqual({ data: null });
    expect(await serveStorage(storage, { ...key, tenant: 'globex' }, {}, get)).toEqual({ data: null });
  });

  it('refuses a set with 409 when another run wrote since this run read, unless forced', async () => {
    const storage = new MemoryHookStorage();
    const a: StorageSession = {};
    const b: StorageSession = {};
    await serveStorage(storage, key, a, get);
    await serveStorage(storage, key, b, get);
    expect(await serveStorage(storage, key, b, set({ by: 'b' }))).toEqual({ ok: true });
    expect(await serveStorage(storage, key, a, set({ by: 'a' }))).toMatchObject({ code: 409, error: expect.stringContaining('conflict') });
    expect(await serveStorage(storage, key, a, set({ by: 'a' }, true))).toEqual({ ok: true });
    // Its own write is what it last saw: a second set of the same run goes through.
    expect(await serveStorage(storage, key, a, set({ by: 'a', again: true }))).toEqual({ ok: true });
    expect(await serveStorage(storage, key, {}, get)).toEqual({ data: '{"by":"a","again":true}' });
  });

  it('lets a run that never read write (as Webtask did)', async () => {
    const storage = new MemoryHookStorage();
    await serveStorage(storage, key, {}, set({ n: 1 }));
    expect(await serveStorage(storage, key, {}, set({ n: 2 }))).toEqual({ ok: true });
  });

  it('refuses data past 500 KB (413) and requests it does not understand', async () => {
    const storage = new MemoryHookStorage();
    const big = 'x'.repeat(HOOK_STORAGE_LIMITS.maxBytes);
    expect(await serveStorage(storage, key, {}, set(big))).toEqual({ code: 413, error: expect.stringMatching(/is 512002 bytes as JSON; a hook's storage holds at most 512000 bytes/) });
    expect(await serveStorage(storage, key, {}, set('x'.repeat(HOOK_STORAGE_LIMITS.maxBytes - 2)))).toEqual({ ok: true });
    for (const request of ['nope', '{"op":"delete"}', '{"op":"set","data":{}}', '{"op":"set"}']) {
      expect(await serveStorage(storage, key, {}, request)).toEqual({ error: 'storage: invalid request', code: 'EINVAL' });
    }
  });
});
