import { Queue } from 'bullmq';
import { ADMIN_TOKEN } from './support/hookline-test-app';
import { webhookConfig } from './support/webhook-fixtures';
import { AppProcess, inParallel, writeConfigFile } from './support/app-process';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';

const redisUrl = redisUrlOrSkip('bullmq: two app processes, one SIGKILLed');

const REGISTRATIONS = 1_000;
/** Deliveries one instance runs at once (the module's default `concurrency`). */
const CONCURRENCY = 16;
/** The default lock (15 s) and stalled check (5 s) promise a re-run within 30 s of a crash. */
const RECOVERY_MS = 30_000;

(redisUrl ? describe : describe.skip)('two example app processes on the bullmq transport, one killed mid-way', () => {
  jest.setTimeout(240_000);

  const prefix = uniquePrefix('crash');
  let receiver: Receiver;
  let config: ReturnType<typeof writeConfigFile>;
  let apps: AppProcess[] = [];

  beforeAll(async () => {
    receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    // Slow enough that each instance always has deliveries in flight.
    receiver.answer = () => ({ status: 204, delayMs: 150 });
    config = writeConfigFile(webhookConfig(receiver.url, ['crm'], { maxAttempts: 8, initialDelayMs: 200, maxDelayMs: 2_000 }));
    const env = {
      HOOKLINE_CONFIG: config.path,
      HOOKLINE_TRANSPORT: 'bullmq',
      REDIS_URL: redisUrl!,
      HOOKLINE_REDIS_PREFIX: prefix,
      HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    apps = await Promise.all([AppProcess.start('a', env), AppProcess.start('b', env)]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await receiver?.close();
    config?.remove();
    await deleteKeys(redisUrl!, prefix);
  });

  it('delivers every registration at least once, re-running only what the killed one had in flight, none dead', async () => {
    const [victim, survivor] = apps;
    const queue = new Queue('hookline-deliveries', { connection: { url: redisUrl! } as never, prefix });
    try {
      await inParallel(Array.from({ length: REGISTRATIONS }, (_, i) => i), 20, async (i) => {
        const res = await apps[i % 2].register('acme', `user${i}@example.com`);
        expect(res.status).toBe(201);
      });
      // Every event is in Redis before the kill: what is tested is crash recovery, not the fire-and-forget window.
      await until(async () => total(await queue.getJobCounts()) === REGISTRATIONS, 30_000, 'all jobs in Redis');
      await receiver.until(() => receiver.distinct().size >= 300, 60_000, '300 deliveries before the kill');

      expect(await victim.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const killedAt = Date.now();

      await receiver.until(() => receiver.distinct().size === REGISTRATIONS, 120_000, `${REGISTRATIONS} distinct deliveries`);
      await until(async () => (await queue.getJobCounts('completed')).completed === REGISTRATIONS, 30_000, 'all jobs completed');
      expect(await queue.getJobCounts('failed', 'delayed', 'wait', 'active')).toEqual({ failed: 0, delayed: 0, wait: 0, active: 0 });
      expect(new Set(receiver.requests.map((a) => a.eventId)).size).toBe(REGISTRATIONS);

      // Duplicates: only deliveries in flight in the killed process (at most its concurrency), each sent
      // before the kill and not answered (or answered just before it, not yet acknowledged in Redis).
      const duplicated = [...receiver.counts()].filter(([, n]) => n > 1).map(([id]) => id);
      expect(duplicated.length).toBeLessThanOrEqual(CONCURRENCY);
      for (const id of duplicated) {
        const [first, ...again] = receiver.requests.filter((a) => a.deliveryId === id);
        expect(first.at).toBeLessThanOrEqual(killedAt);
        expect(first.answeredAt === undefined || first.answeredAt >= killedAt - 5_000).toBe(true);
        expect(again).toHaveLength(1);
        expect(again[0].at - killedAt).toBeLessThan(RECOVERY_MS);
      }

      const dead = await fetch(`${survivor.baseUrl}/hookline/deliveries?status=dead`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(dead.status).toBe(200);
      expect(((await dead.json()) as { items: unknown[] }).items).toEqual([]);
      console.log(
        `crash test: ${duplicated.length} duplicate(s); re-runs within ` +
          `${Math.max(0, ...duplicated.map((id) => receiver.requests.filter((a) => a.deliveryId === id)[1].at - killedAt))} ms of the kill`,
      );
    } finally {
      await queue.close();
    }
  });

  it('on SIGTERM, finishes the deliveries in flight before it exits', async () => {
    const survivor = apps[1];
    receiver.answer = () => ({ status: 204, delayMs: 1_000 });
    const before = receiver.requests.length;
    await inParallel([0, 1, 2, 3, 4, 5, 6, 7], 8, async (i) => {
      expect((await survivor.register('acme', `late${i}@example.com`)).status).toBe(201);
    });
    await receiver.until(() => receiver.requests.length === before + 8, 30_000, '8 deliveries in flight');

    expect(await survivor.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(receiver.requests.slice(before).every((a) => a.answeredAt !== undefined)).toBe(true);
    const queue = new Queue('hookline-deliveries', { connection: { url: redisUrl! } as never, prefix });
    try {
      expect(await queue.getJobCounts('completed', 'active')).toEqual({ completed: REGISTRATIONS + 8, active: 0 });
    } finally {
      await queue.close();
    }
    expect(survivor.logs()).not.toMatch(/still running after the drain time|left running/);
  });
});

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
