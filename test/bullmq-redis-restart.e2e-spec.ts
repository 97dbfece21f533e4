import { TransportUnavailableError } from 'hookline';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { HooklineTestApp } from './support/hookline-test-app';
import { anEvent, webhookConfig } from './support/webhook-fixtures';
import { Receiver } from './support/receiver';
import { OwnRedis } from './support/redis';
import { redisUrlOrSkip } from './support/services';

// This suite runs a redis-server of its own (it kills it), but runs with the other Redis suites.
const redisUrl = redisUrlOrSkip('bullmq: Redis restarted mid-run');

(redisUrl ? describe : describe.skip)('the bullmq transport when Redis restarts mid-run', () => {
  jest.setTimeout(120_000);

  it('resumes by itself and loses nothing; meanwhile publish fails loudly and emits are logged', async () => {
    const redis = await OwnRedis.start();
    const receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    receiver.answer = () => ({ status: 204, delayMs: 20 });
    const app = await HooklineTestApp.start({
      config: webhookConfig(receiver.url),
      transport: { type: 'bullmq', url: redis.url, prefix: 'restart' },
      concurrency: 4,
    });
    try {
      const expected = new Set<string>();
      for (let i = 0; i < 200; i++) (await app.hookline.publish(anEvent())).deliveryIds.forEach((id) => expected.add(id));
      await receiver.until(() => receiver.distinct().size >= 30, 30_000, '30 deliveries before the restart');

      await redis.kill();
      const refused = anEvent();
      await expect(app.hookline.publish(refused)).rejects.toThrow(TransportUnavailableError);
      await expect(app.hookline.publish(refused)).rejects.toThrow(/Redis at 127\.0\.0\.1:\d+\/0 is unavailable/);
      const emitted = anEvent();
      app.app.get(EventEmitter2).emit('user.registered', emitted);
      await until(() => app.logger.matching(new RegExp(`event not dispatched .*eventId=${emitted.id}`)).length === 1);
      const deliveredBeforeRestart = receiver.distinct().size;
      expect(deliveredBeforeRestart).toBeLessThan(expected.size); // the restart happened mid-run
      await new Promise((r) => setTimeout(r, 1_000));
      await redis.start();

      await receiver.until(() => [...expected].every((id) => receiver.distinct().has(id)), 60_000, 'every delivery after the restart');
      expect(app.logger.matching(/^Redis unavailable/).length).toBeGreaterThanOrEqual(1);
      await until(() => app.logger.matching(/^Redis available again/).length >= 1);
      // The refused publish left nothing behind: only what was accepted was delivered.
      expect(receiver.requests.some((a) => a.eventId === refused.id || a.eventId === emitted.id)).toBe(false);
    } finally {
      await app.close();
      await receiver.close();
      await redis.stop();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
