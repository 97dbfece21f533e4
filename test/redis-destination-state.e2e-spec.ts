import { Redis } from 'ioredis';
import type { CircuitSettings } from '../src/hookline/config/config.model';
import { RedisCircuitStore } from '../src/hookline/delivery/transports/redis-circuit-store';
import { RedisDestinationLeases } from '../src/hookline/delivery/transports/redis-destination-leases';
import { HooklineLogger } from '../src/hookline/core/logging/hookline.logger';
import { Redactor } from '../src/hookline/core/logging/redactor';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';

const redisUrl = redisUrlOrSkip('destination slots and circuits in Redis');
const logger = new HooklineLogger(false, new Redactor());
const settings: CircuitSettings = { failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 4_000, deadAfterMs: 60_000 };

(redisUrl ? describe : describe.skip)('destination state shared in Redis', () => {
  let redis: Redis;
  let prefix: string;
  const opened: RedisDestinationLeases[] = [];

  beforeEach(() => {
    redis = new Redis(redisUrl!);
    prefix = uniquePrefix('dest');
  });

  afterEach(async () => {
    for (const leases of opened.splice(0)) leases.close();
    redis.disconnect();
    await deleteKeys(redisUrl!, prefix);
  });

  function leases(options: { leaseMs?: number; reserveMs?: number; sweepEveryMs?: number } = {}) {
    const created = new RedisDestinationLeases(redis, logger, { prefix, ...options });
    const woken: string[] = [];
    created.setWaker((_destination, holders) => woken.push(...holders));
    opened.push(created);
    return { leases: created, woken };
  }

  it('grants at most the cap across instances, queues the rest and hands each freed slot to the first in line', async () => {
    const a = leases();
    const b = leases();
    expect(await a.leases.acquire('acme|https://crm', 'd1', 2)).toBe('acquired');
    expect(await b.leases.acquire('acme|https://crm', 'd2', 2)).toBe('acquired');
    expect(await a.leases.acquire('acme|https://crm', 'd3', 2)).toBe('queued');
    expect(await b.leases.acquire('acme|https://crm', 'd4', 2)).toBe('queued');
    // Another tenant with the same URL has slots of its own.
    expect(await a.leases.acquire('other|https://crm', 'x1', 2)).toBe('acquired');
    expect(await a.leases.waiting('acme|https://crm')).toBe(2);

    await b.leases.release('acme|https://crm', 'd2');
    expect(b.woken).toEqual(['d3']);
    // d3 was handed the slot: it gets it when it comes back, d4 still waits.
    expect(await a.leases.acquire('acme|https://crm', 'd4', 2)).toBe('queued');
    expect(await a.leases.acquire('acme|https://crm', 'd3', 2)).toBe('acquired');
    expect(await a.leases.waiting('acme|https://crm')).toBe(1);
    // Its keys share one hash tag (one Redis Cluster slot).
    const keys = await redis.keys(`{${prefix}:dest:*`);
    expect(new Set(keys.filter((k) => k.endsWith(':slots')).map((k) => k.slice(0, k.indexOf('}') + 1))).size).toBe(2);
  });

  it('at publish: free slots go to the first deliveries while nobody waits; the others queue behind those waiting', async () => {
    const a = leases();
    expect(await a.leases.admit('acme|https://crm', ['p1', 'p2', 'p3'], 2)).toEqual(['p1', 'p2']);
    // p3 is held back (its job added delayed), then queued: no slot is free.
    expect(await a.leases.hold('acme|https://crm', ['p3'], 2)).toEqual([]);
    // Someone waits: a new delivery is held back even when a slot frees in between, never ahead of p3.
    expect(await a.leases.admit('acme|https://crm', ['p4'], 2)).toEqual([]);
    await a.leases.release('acme|https://crm', 'p1');
    expect(a.woken).toEqual(['p3']);
    expect(await a.leases.hold('acme|https://crm', ['p4'], 2)).toEqual([]);
    expect(await a.leases.waiting('acme|https://crm')).toBe(1);

    // A slot freed between the check at publish and the queuing is taken at once.
    expect(await a.leases.admit('calm|https://crm', ['q1'], 1)).toEqual(['q1']);
    expect(await a.leases.admit('calm|https://crm', ['q2'], 1)).toEqual([]);
    await a.leases.release('calm|https://crm', 'q1');
    expect(await a.leases.hold('calm|https://crm', ['q2'], 1)).toEqual(['q2']);
    expect(await a.leases.acquire('calm|https://crm', 'q2', 1)).toBe('acquired');
  });

  it('takes back the slots of an instance that stopped renewing them, and hands again a slot whose wake-up was lost', async () => {
    const dead = leases({ leaseMs: 300 });
    dead.leases.close(); // it never renews: as if its process died
    const alive = leases({ leaseMs: 5_000, reserveMs: 300, sweepEveryMs: 100 });
    expect(await dead.leases.acquire('acme|https://crm', 'd1', 1)).toBe('acquired');
    expect(await alive.leases.acquire('acme|https://crm', 'd2', 1)).toBe('queued');
    // The dead instance's slot expires; the sweep hands it to d2.
    await until(() => alive.woken.includes('d2'), 5_000);
    // d2 never comes to claim it (its wake-up was lost): it is handed again after reserveMs, not leaked.
    const before = alive.woken.length;
    await until(() => alive.woken.length > before, 5_000);
    expect(alive.woken.slice(before)).toEqual(['d2']);
    expect(await alive.leases.acquire('acme|https://crm', 'd2', 1)).toBe('acquired');
  });

  it('the circuit: concurrent failures from several instances open it once; a success closes it once', async () => {
    const stores = [new RedisCircuitStore(redis, prefix), new RedisCircuitStore(redis.duplicate(), prefix)];
    const changes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => stores[i % 2].record('acme|https://crm', 'failure', settings, Date.now(), false)),
    );
    expect(changes.filter((c) => c === 'opened')).toHaveLength(1);
    expect(await stores[1].read('acme|https://crm')).toMatchObject({ state: 'open', failures: 12 });
    expect(await stores[0].admit('acme|https://crm', settings, Date.now(), 5_000)).toMatchObject({ kind: 'wait' });
    // After the cool-down, exactly one instance gets the probe.
    const later = Date.now() + settings.cooldownMs;
    const admissions = await Promise.all(stores.concat(stores).map((s) => s.admit('acme|https://crm', settings, later, 5_000)));
    expect(admissions.filter((a) => a.kind === 'probe')).toHaveLength(1);
    const closes = await Promise.all(stores.map((s) => s.record('acme|https://crm', 'success', settings, later, false)));
    expect(closes.filter((c) => c === 'closed')).toHaveLength(1);
    expect(await stores[0].read('acme|https://crm')).toBeNull();
    (stores[1] as unknown as { redis: Redis }).redis.disconnect();
  });
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
