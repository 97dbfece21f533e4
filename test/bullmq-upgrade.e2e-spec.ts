// Upgrade path: Hookline 0.1.x queued deliveries with BullMQ 5; 0.2 runs BullMQ 6. Deliveries already in
// Redis when an instance is upgraded must still be delivered. "bullmq-v5" is BullMQ 5 installed under an
// alias for this test only: it writes the jobs exactly as Hookline 0.1.x did (same queue, prefix, job
// name, data and options), then the upgraded Hookline starts on the same Redis.
import { Queue as QueueV5, Worker as WorkerV5 } from 'bullmq-v5';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { deliveryIdFor } from '../src/hookline/delivery/records/delivery';
import { HooklineTestApp } from './support/hookline-test-app';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { anEvent, webhookConfig } from './support/webhook-fixtures';
import { Receiver } from './support/receiver';
import type { UserRegisteredEvent } from '../src/hookline';

const redisUrl = redisUrlOrSkip('bullmq: upgrade from a Redis written by BullMQ 5');

const QUEUE = 'hookline-deliveries'; // the default queue name of 0.1.x and 0.2
const CONSUMER = 'acme/webhook/crm';

/** A delivery job as Hookline 0.1.x wrote it (`jobFor` in its src/hookline/dispatch/transports/bullmq.queue.ts). */
function legacyJob(event: UserRegisteredEvent, extra: { delay?: number } = {}) {
  return {
    name: CONSUMER,
    data: { consumerId: CONSUMER, kind: 'webhook', event },
    opts: {
      jobId: deliveryIdFor(event.id, CONSUMER),
      attempts: 1_000,
      backoff: { type: 'hookline' },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      stackTraceLimit: 0,
      ...extra,
    },
  };
}

async function add(queue: QueueV5, event: UserRegisteredEvent, extra: { delay?: number } = {}): Promise<string> {
  const { name, data, opts } = legacyJob(event, extra);
  const job = await queue.add(name, data, opts);
  return job.id!;
}

function connection() {
  const url = new URL(redisUrl!);
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

(redisUrl ? describe : describe.skip)('upgrading from BullMQ 5 (Hookline 0.1.x) to BullMQ 6', () => {
  jest.setTimeout(60_000);
  let receiver: Receiver;
  let prefix: string;

  beforeEach(async () => {
    receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    prefix = uniquePrefix('upgrade');
  });

  afterEach(async () => {
    await receiver.close();
    await deleteKeys(redisUrl!, prefix);
  });

  it('delivers waiting jobs, due-later jobs and retries that BullMQ 5 left in Redis', async () => {
    const old = new QueueV5(QUEUE, { connection: connection(), prefix });
    const retried = anEvent();
    const waiting = anEvent();
    const later = anEvent();
    let retriedId: string;
    try {
      // A retry waiting its turn: a BullMQ 5 worker (as 0.1.x ran it) failed the first attempt.
      retriedId = await add(old, retried);
      const worker = new WorkerV5(
        QUEUE,
        async () => {
          throw new Error('HTTP_ERROR: answered 503');
        },
        { connection: connection(), prefix, settings: { backoffStrategy: () => 1_500 } },
      );
      try {
        await until(async () => (await old.getJobState(retriedId)) === 'delayed', 15_000, 'the first attempt to fail');
      } finally {
        await worker.close();
      }
      await add(old, waiting);
      await add(old, later, { delay: 1_000 });
      expect(await old.getJobCounts('wait', 'delayed')).toEqual({ wait: 1, delayed: 2 });
    } finally {
      await old.close();
    }

    const app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: { type: 'bullmq', url: redisUrl!, prefix } });
    try {
      await receiver.until(() => receiver.distinct().size === 3, 20_000, 'the three deliveries queued by BullMQ 5');
      expect([...receiver.distinct()].sort()).toEqual([retried, waiting, later].map((e) => deliveryIdFor(e.id, CONSUMER)).sort());
      const bodies = receiver.requests.map((a) => a.eventId);
      expect(bodies.sort()).toEqual([retried.id, waiting.id, later.id].sort());
      await until(async () => (await app.hookline.getDelivery(retriedId))?.status === 'succeeded', 10_000, 'the retry to be recorded');
      // The attempt BullMQ 5 made still counts.
      expect(await app.hookline.getDelivery(retriedId)).toMatchObject({ status: 'succeeded', attempts: 2, consumer: CONSUMER });
    } finally {
      await app.close();
    }
  });

  it('keeps a queue paused by BullMQ 5 paused; resumed with BullMQ 6, its jobs are delivered', async () => {
    const old = new QueueV5(QUEUE, { connection: connection(), prefix });
    const event = anEvent();
    let id: string;
    try {
      await old.pause();
      id = await add(old, event);
    } finally {
      await old.close();
    }
    // BullMQ 5 kept a paused queue's jobs in a list of their own, a state BullMQ 6 no longer has.
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.lrange(`${prefix}:${QUEUE}:paused`, 0, -1)).toEqual([id]);
    } finally {
      redis.disconnect();
    }

    const app = await HooklineTestApp.start({ config: webhookConfig(receiver.url), transport: { type: 'bullmq', url: redisUrl!, prefix } });
    const queue = new Queue(QUEUE, { connection: connection(), prefix });
    try {
      expect(await app.hookline.getDelivery(id)).toMatchObject({ status: 'pending', consumer: CONSUMER });
      expect(await queue.isPaused()).toBe(true);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(receiver.requests).toEqual([]); // the operator's pause holds across the upgrade

      await queue.resume();
      await receiver.until(() => receiver.distinct().size === 1, 15_000, 'the delivery of the paused queue');
      expect(receiver.requests[0].eventId).toBe(event.id);
      await until(async () => (await app.hookline.getDelivery(id))?.status === 'succeeded', 10_000, 'the delivery to be recorded');
    } finally {
      await queue.close();
      await app.close();
    }
  });
});
