import { FairSlots, type ReleaseSlot, type SlotRequest } from './fair-slots';

const req = (tenant: string, destination: string, patch: Partial<SlotRequest> = {}): SlotRequest => ({
  tenant,
  destination: `${tenant}|${destination}`,
  maxInFlight: 4,
  tenantMaxSlots: 8,
  weight: 1,
  ...patch,
});

/** Acquires for each request in order; records the order in which the grants come. */
function queue(slots: FairSlots, requests: SlotRequest[]) {
  const granted: string[] = [];
  const releases: ReleaseSlot[] = [];
  const all = requests.map((r, i) =>
    slots.acquire(r).then((release) => {
      granted.push(`${r.destination}#${i}`);
      releases.push(release);
    }),
  );
  return { granted, releases, all };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('FairSlots', () => {
  it('caps a destination and a tenant, and hands the rest of the slots to other tenants', async () => {
    const slots = new FairSlots(16);
    const noisy = Array.from({ length: 100 }, () => req('noisy', 'slow'));
    const { granted } = queue(slots, [...noisy, req('calm', 'fast'), req('calm', 'fast')]);
    await tick();
    expect(granted.filter((g) => g.startsWith('noisy'))).toHaveLength(4);
    expect(granted.filter((g) => g.startsWith('calm'))).toHaveLength(2);
    expect(slots.waitingFor('noisy|slow', 'noisy')).toBe(96);
    expect(slots.destinationBusy('noisy|slow', 'noisy', 4)).toBe(true);
    expect(slots.destinationBusy('calm|fast', 'calm', 4)).toBe(false);
  });

  it('limits a tenant to tenantMaxSlots over all its destinations', async () => {
    const slots = new FairSlots(16);
    const many = Array.from({ length: 10 }, (_, d) => [req('t', `d${d}`), req('t', `d${d}`)]).flat();
    const { granted } = queue(slots, many.map((r) => ({ ...r, tenantMaxSlots: 5 })));
    await tick();
    expect(granted).toHaveLength(5);
    expect(slots.inFlight).toBe(5);
  });

  it('alternates between tenants when slots are scarce, by weight', async () => {
    const slots = new FairSlots(1);
    const first = await slots.acquire(req('x', 'hold'));
    const a = Array.from({ length: 6 }, () => req('a', 'd', { weight: 2 }));
    const b = Array.from({ length: 6 }, () => req('b', 'd'));
    const { granted, releases } = queue(slots, [...a, ...b]);
    first();
    for (let i = 0; i < 6; i++) {
      await tick();
      releases[i]();
    }
    await tick();
    expect(granted.slice(0, 6).map((g) => g[0])).toEqual(['a', 'a', 'b', 'a', 'a', 'b']);
  });

  it('drops idle lanes, and rejects waiters once closed', async () => {
    const slots = new FairSlots(1);
    const release = await slots.acquire(req('a', 'd'));
    const waiting = slots.acquire(req('b', 'd'));
    slots.close(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
    release();
    expect(slots.inFlight).toBe(0);
    expect(slots.waitingFor('a|d', 'a')).toBe(0);
    await expect(slots.acquire(req('a', 'd'))).rejects.toThrow('closed');
  });
});
