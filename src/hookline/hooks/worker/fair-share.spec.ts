import { FairShare, type Throttle } from './fair-share';

const budget = { cpuMs: 1_000, windowMs: 10_000 };

function setup(slots = 1) {
  let now = 0;
  const started: string[] = [];
  const throttles: Throttle[] = [];
  const share = new FairShare(slots, (t) => throttles.push(t), () => now);
  let id = 0;
  const submit = (tenant: string, hookId = `${tenant}/hook/h`) => {
    const label = `${tenant}#${++id}`;
    return { label, started: share.submit({ id, tenant, hookId, budget, start: () => started.push(label) }) };
  };
  return { share, started, throttles, submit, advance: (ms: number) => (now += ms) };
}

describe('FairShare', () => {
  it('starts one invocation per tenant at a time, and takes tenants round-robin, not first come first served', () => {
    const { share, started, submit } = setup(1);
    expect(submit('hog').started).toBe(true);
    submit('hog');
    submit('hog');
    expect(submit('calm').started).toBe(false);
    share.release('hog', 900);
    expect(started).toEqual(['hog#1', 'calm#4']);
    share.release('calm', 900);
    share.release('hog', 900);
    expect(started).toEqual(['hog#1', 'calm#4', 'hog#2', 'hog#3']);
  });

  it('pipelines the starts of a tenant whose hooks start quickly, never those of one whose hooks run long', () => {
    const { share, started, submit } = setup(1);
    for (let i = 0; i < 5; i++) submit('quick');
    expect(started).toEqual(['quick#1']); // Nothing known of its pace yet: one at a time.
    share.release('quick', 1);
    expect(started).toEqual(['quick#1', 'quick#2', 'quick#3', 'quick#4', 'quick#5']);
    // Quick hooks hold no slot: the one slot is free for a tenant whose hooks run long.
    submit('slow');
    submit('slow');
    expect(started.at(-1)).toBe('slow#6');
    share.release('slow', 900);
    expect(started.at(-1)).toBe('slow#7');
    submit('slow');
    submit('other');
    expect(started).toHaveLength(7); // One at a time for slow; other (unknown yet) waits for the slot.
    share.release('slow', 900);
    expect(started.at(-1)).toBe('other#9');
  });

  it('lets a second tenant start beside a busy one when it has a slot', () => {
    const { started, submit } = setup(2);
    submit('hog');
    submit('hog');
    expect(submit('calm').started).toBe(true);
    expect(started).toEqual(['hog#1', 'calm#3']);
  });

  it('puts a tenant past its budget after waiting tenants within theirs, and reports it once per window', () => {
    const { share, started, throttles, submit, advance } = setup(1);
    submit('hog');
    submit('hog');
    share.charge('hog', 1_500);
    submit('calm');
    submit('calm');
    share.release('hog', 900); // hog is past its budget: calm goes first, twice.
    share.release('calm', 900);
    expect(started).toEqual(['hog#1', 'calm#3', 'calm#4']);
    expect(throttles).toEqual([{ tenant: 'hog', hookId: 'hog/hook/h', usedMs: 1_500, budget }]);
    submit('calm');
    share.release('calm', 900);
    expect(throttles).toHaveLength(1); // Once per window.
    advance(10_001); // The charge left the window: hog is within its budget again.
    share.release('calm', 900);
    expect(started.at(-1)).toBe('hog#2');
    share.charge('hog', 1_200);
    submit('hog');
    submit('calm');
    share.release('hog', 900);
    expect(started.at(-1)).toBe('calm#7');
    expect(throttles).toHaveLength(2); // A new window.
  });

  it('is work-conserving: a tenant past its budget with no one else waiting starts at once', () => {
    const { share, started, throttles, submit } = setup(1);
    share.charge('hog', 50_000);
    expect(submit('hog').started).toBe(true);
    submit('hog');
    share.release('hog', 900);
    expect(started).toEqual(['hog#1', 'hog#2']);
    expect(throttles).toEqual([]);
  });

  it('drops a cancelled waiting invocation, and forgets idle tenants', () => {
    const { share, started, submit, advance } = setup(1);
    submit('a');
    submit('b');
    expect(share.cancel(2)).toBe(true);
    expect(share.cancel(2)).toBe(false);
    share.charge('a', 10);
    share.release('a', 900);
    expect(started).toEqual(['a#1']);
    expect(share.usedMs('a')).toBe(10);
    advance(10_001);
    share.sweep();
    expect(share.usedMs('a')).toBe(0);
    expect(share.waitingCount).toBe(0);
  });

  it('counts many small charges within the window, and lets them go as the window moves on', () => {
    const { share, submit, advance } = setup(1);
    submit('busy');
    // 2,000 hooks a second for 10 s, 0.05 ms of CPU each: 1,000 ms in the window.
    for (let i = 0; i < 20_000; i++) {
      share.charge('busy', 0.05);
      advance(0.5);
    }
    // Charges share an entry per twentieth of the window, which leaves it with its first charge: the
    // window is exact to within a twentieth (here 50 ms of CPU).
    expect(share.usedMs('busy')).toBeGreaterThanOrEqual(950 - 1e-6);
    expect(share.usedMs('busy')).toBeLessThanOrEqual(1_000 + 1e-6);
    // Half the window later, the older half has left it.
    advance(5_000);
    expect(share.usedMs('busy')).toBeGreaterThanOrEqual(450 - 1e-6);
    expect(share.usedMs('busy')).toBeLessThanOrEqual(500 + 1e-6);
    advance(5_000);
    expect(share.usedMs('busy')).toBe(0);
  });
});
