import { HooklineTestApp } from './support/hookline-test-app';
import { anEvent, webhookConfig } from './support/webhook-fixtures';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';

const redisUrl = redisUrlOrSkip('bullmq: publish durability and shutdown');

(redisUrl ? describe : describe.skip)('the bullmq transport across app restarts', () => {
  jest.setTimeout(60_000);
  let receiver: Receiver;
  let prefix: string;
  const apps: HooklineTestApp[] = [];

  beforeEach(async () => {
    receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    prefix = uniquePrefix('life');
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await receiver.close();
    await deleteKeys(redisUrl!, prefix);
  });

  const start = async (options: { worker?: boolean; drainTimeoutMs?: number } = {}) => {
    const app = await HooklineTestApp.start({
      config: webhookConfig(receiver.url),
      transport: { type: 'bullmq', url: redisUrl!, prefix, worker: options.worker },
      drainTimeoutMs: options.drainTimeoutMs,
    });
    apps.push(app);
    return app;
  };

  it('keeps what publish accepted after the publishing app is gone; another instance delivers it', async () => {
    const publisher = await start({ worker: false });
    const event = anEvent();
    const [id] = (await publisher.hookline.publish(event)).deliveryIds;
    expect(await publisher.hookline.getDelivery(id)).toMatchObject({ status: 'pending', attempts: 0, eventId: event.id });
    await publisher.close();
    expect(receiver.requests).toHaveLength(0);

    const worker = await start();
    await receiver.until(() => receiver.requests.length === 1, 15_000, 'the delivery');
    expect(receiver.requests[0]).toMatchObject({ deliveryId: id, eventId: event.id });
    await waitFor(async () => (await worker.hookline.getDelivery(id))?.status === 'succeeded');
  });

  it('at shutdown, aborts what outlives the drain time and leaves it in Redis as a retry', async () => {
    receiver.answer = (a) => (receiver.requests.indexOf(a) === 0 ? { status: 204, delayMs: 5_000 } : { status: 204 });
    const first = await start({ drainTimeoutMs: 300 });
    // Started once: a second start would add a queue worker that the drain below never waits for.
    expect(first.logger.matching(/Hookline ready/)).toHaveLength(1);
    const [id] = (await first.hookline.publish(anEvent())).deliveryIds;
    await receiver.until(() => receiver.requests.length === 1, 15_000, 'the first attempt');

    const closing = Date.now();
    await first.close();
    expect(Date.now() - closing).toBeLessThan(4_000); // did not wait for the 5 s answer
    expect(first.logger.matching(/still running after the drain time; aborting them/)).toHaveLength(1);

    const second = await start();
    const record = await second.hookline.getDelivery(id);
    // Cut short by shutdown: in Redis to run again (the new instance may already be running it), not dead.
    expect(['pending', 'failed', 'running']).toContain(record?.status);
    await receiver.until(() => receiver.requests.length === 2, 15_000, 'the retry');
    expect(receiver.requests[1].deliveryId).toBe(id);
    await waitFor(async () => (await second.hookline.getDelivery(id))?.status === 'succeeded');
    expect((await second.hookline.getDelivery(id))?.attempts).toBe(1);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
