import { MemorySharedValues } from './shared-values';

describe('MemorySharedValues', () => {
  it('loads once for concurrent callers and reuses the value until it is due', async () => {
    const shared = new MemorySharedValues();
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, expiresAt: Date.now() + 60_000 });
    const got = await Promise.all(Array.from({ length: 5 }, () => shared.get('k', load, { refreshBeforeMs: 1_000 })));
    expect(got.map((g) => g.value)).toEqual(Array(5).fill('v1'));
    expect((await shared.get('k', load, { refreshBeforeMs: 1_000 })).value).toBe('v1');
    // Within refreshBeforeMs of its expiry, the next call loads again.
    expect((await shared.get('k', load, { refreshBeforeMs: 120_000 })).value).toBe('v2');
  });

  it('drops a value only while it is still the one refused', async () => {
    const shared = new MemorySharedValues();
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, expiresAt: Date.now() + 60_000 });
    await shared.get('k', load, { refreshBeforeMs: 0 });
    await shared.drop('k', 'something-else');
    expect((await shared.get('k', load, { refreshBeforeMs: 0 })).value).toBe('v1');
    await shared.drop('k', 'v1');
    expect((await shared.get('k', load, { refreshBeforeMs: 0 })).value).toBe('v2');
  });

  it('lets the next caller load again after a failed load', async () => {
    const shared = new MemorySharedValues();
    await expect(shared.get('k', () => Promise.reject(new Error('refused')), { refreshBeforeMs: 0 })).rejects.toThrow('refused');
    expect((await shared.get('k', async () => ({ value: 'ok', expiresAt: Date.now() + 1_000 }), { refreshBeforeMs: 0 })).value).toBe('ok');
  });
});
