import { EventEmitter2 } from '@nestjs/event-emitter';
import { OPERATOR_EVENTS, type DeliveryRecord, type OperatorEvent } from 'hookline';
import { HooklineTestApp } from './support/hookline-test-app';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { signUps as events, transportsUnderTest, until } from './support/until';

// Real worker processes, real isolates. Bounds are generous: the machine is shared.
const redisUrl = redisUrlOrSkip('sandbox fair share (bullmq half)');
jest.setTimeout(90_000);

const transports = transportsUnderTest(redisUrl);

/** A hook that keeps its isolate's thread busy for `ms` (wall clock, so it lasts as long on a loaded machine). */
const burn = (name: string, ms: number, extra: Record<string, unknown> = {}) => ({
  name,
  source: `module.exports = async function () { const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++; return x > 0; };`,
  timeoutMs: 5_000,
  ...extra,
});
const quick = (name: string) => ({ name, source: `module.exports = async function (user) { console.log('hello', user.email); };` });

async function deliveriesOf(app: HooklineTestApp, tenant: string): Promise<DeliveryRecord[]> {
  return (await app.hookline.listDeliveries({ tenant, limit: 500 })).items;
}

function throttledEvents(app: HooklineTestApp): OperatorEvent[] {
  const seen: OperatorEvent[] = [];
  app.app.get(EventEmitter2).on(OPERATOR_EVENTS.tenantThrottled, (payload: OperatorEvent) => seen.push(payload));
  return seen;
}

describe.each(transports)('fair share in the sandbox on the %s transport', (name, transportFor) => {
  let app: HooklineTestApp | undefined;
  let prefix: string;

  beforeEach(() => {
    prefix = uniquePrefix(`fair-${name}`);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    if (redisUrl && name === 'bullmq') await deleteKeys(redisUrl, prefix);
  });

  async function start(config: Record<string, unknown>, sandbox: Record<string, unknown> = {}) {
    app = await HooklineTestApp.start({ config, transport: transportFor(prefix), drainTimeoutMs: 200, sandbox: { workers: 1, ...sandbox } });
    return app;
  }

  it('CPU-heavy hooks of one tenant do not hold back another tenant\'s hook on the same worker', async () => {
    await start({
      tenants: {
        hogco: { hooks: [burn('burn-a', 900), burn('burn-b', 900)] },
        calmco: { hooks: [quick('hello')] },
      },
    });
    for (const event of events('hogco', 20)) await app!.hookline.publish(event);
    // The hog's hooks are running (the worker is busy) before the calm tenant's sign-ups arrive.
    await until(async () => (await deliveriesOf(app!, 'hogco')).some((d) => d.status === 'succeeded'), 20_000, 'a heavy hook completes');
    const calmAt = Date.now();
    for (const event of events('calmco', 5)) await app!.hookline.publish(event);
    await until(async () => (await deliveriesOf(app!, 'calmco')).filter((d) => d.status === 'succeeded').length === 5, 5_000, 'the calm tenant\'s hooks');
    const calmMs = Date.now() - calmAt;
    const hog = await deliveriesOf(app!, 'hogco');
    // The hog still has most of its 40 invocations (36 s of CPU) ahead of it.
    expect(hog.filter((d) => d.status !== 'succeeded').length).toBeGreaterThan(20);
    expect(calmMs).toBeLessThan(5_000);
    // Its own hooks wait in the worker, one at a time, before their timeout starts: with 8 in flight
    // (2 hooks × a cap of 4) and 900 ms each, the later ones would otherwise pass their 5 s.
    await until(async () => (await deliveriesOf(app!, 'hogco')).filter((d) => d.status === 'succeeded').length >= 9, 30_000, 'nine heavy hooks');
    const after = await deliveriesOf(app!, 'hogco');
    expect(after.filter((d) => d.lastError || d.attempts > 1).map((d) => [d.attempts, d.lastError])).toEqual([]);
  });

  if (name !== 'inline') return; // What follows happens in the sandbox, the same on both transports.

  it('a tenant past its CPU budget yields to tenants within theirs, and hookline.tenant.throttled is emitted once per window', async () => {
    const windowMs = 3_000;
    await start(
      {
        defaults: { sandbox: { cpuBudget: { cpuMs: 60_000, windowMs: 60_000 } } },
        tenants: {
          hogco: { sandbox: { cpuBudget: { cpuMs: 500, windowMs } }, hooks: [burn('burn', 400)] },
          busyco: { hooks: [burn('burn', 400)] },
          calmco: { hooks: [quick('hello')] },
        },
      },
      // One tenant with long hooks computes at a time in the worker: hogco and busyco take turns for it.
      { cpuSlots: 1 },
    );
    const throttled = throttledEvents(app!);
    for (const event of [...events('hogco', 40), ...events('busyco', 40)]) await app!.hookline.publish(event);
    const startedAt = Date.now();
    // At least 7.5 s, and on until two windows have throttled the hog (a machine short of CPU gives its
    // isolate less of it per second, so it passes its budget later).
    while (Date.now() - startedAt < 7_500 || (throttled.length < 2 && Date.now() - startedAt < 30_000)) {
      for (const event of events('calmco', 1)) await app!.hookline.publish(event);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    for (const event of throttled) {
      expect(event).toEqual({
        tenant: 'hogco',
        consumerId: 'hogco/hook/burn',
        destination: 'hook:burn',
        reason: expect.stringMatching(/^used \d+ ms of sandbox CPU in the last 3000 ms, over its budget of 500 ms; /),
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }
    // Once per window: never two within one.
    const times = throttled.map((e) => Date.parse(e.at));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(windowMs - 50);
    const logged = app!.logger.matching(/tenant over its sandbox CPU budget/);
    expect(logged).toHaveLength(throttled.length);
    expect(logged[0]).toMatchObject({ level: 'warn', message: expect.stringContaining('tenant=hogco') });
    // The busy tenant, within its budget, ran more often than the hog; the calm tenant was never held back for long.
    const done = async (tenant: string) => (await deliveriesOf(app!, tenant)).filter((d) => d.status === 'succeeded').length;
    expect(await done('busyco')).toBeGreaterThan(await done('hogco'));
    // Each calm hook done within seconds of its sign-up, with 32 s of heavy hooks queued before it (an
    // instant's count of those still running would depend on how busy the machine is).
    await until(async () => (await deliveriesOf(app!, 'calmco')).every((d) => d.status === 'succeeded'), 10_000, "the calm tenant's hooks");
    for (const d of await deliveriesOf(app!, 'calmco')) expect(Date.parse(d.updatedAt) - Date.parse(d.createdAt)).toBeLessThan(3_000);
  });

  it('a tenant alone runs at full speed past its budget (work-conserving), and is not reported', async () => {
    await start(
      { tenants: { soloco: { sandbox: { cpuBudget: { cpuMs: 100, windowMs: 60_000 } }, hooks: [burn('burn', 300, { maxInFlight: 8 })] } } },
      { cpuSlots: 1 },
    );
    const throttled = throttledEvents(app!);
    const startedAt = Date.now();
    for (const event of events('soloco', 10)) await app!.hookline.publish(event);
    await until(async () => (await deliveriesOf(app!, 'soloco')).filter((d) => d.status === 'succeeded').length === 10, 20_000, 'ten 300 ms hooks');
    const elapsed = Date.now() - startedAt;
    // 10 × 300 ms one after another; a throttled tenant would idle (nothing else is waiting, so it must not).
    expect(elapsed).toBeLessThan(3_000 + 4_000);
    expect(throttled).toEqual([]);
  });

  it('time waiting for its turn does not count toward timeoutMs, and uses no attempt', async () => {
    await start({ tenants: { waitco: { hooks: [burn('slowish', 500, { timeoutMs: 1_500, maxInFlight: 6, retry: { maxAttempts: 1 } })] } } });
    const startedAt = Date.now();
    for (const event of events('waitco', 6)) await app!.hookline.publish(event);
    await until(async () => (await deliveriesOf(app!, 'waitco')).filter((d) => d.status !== 'pending' && d.status !== 'running').length === 6, 20_000, 'six hooks end');
    const elapsed = Date.now() - startedAt;
    const records = await deliveriesOf(app!, 'waitco');
    // Six 500 ms runs, one after another in the tenant's isolate: the last waited 2.5 s, past its 1.5 s timeout.
    expect(elapsed).toBeGreaterThan(2_500);
    expect(records.map((d) => [d.status, d.attempts])).toEqual(Array(6).fill(['succeeded', 1]));
  });
});
