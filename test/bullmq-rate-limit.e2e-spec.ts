import { AppProcess, inParallel, writeConfigFile } from './support/app-process';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';

const redisUrl = redisUrlOrSkip('bullmq: a global rate limit across two processes');

const DELIVERIES = 40;

(redisUrl ? describe : describe.skip)('a rate limit of 5/s on one webhook, two processes', () => {
  jest.setTimeout(180_000);

  it('holds across both processes (the receiver measures it)', async () => {
    const prefix = uniquePrefix('paced');
    const receiver = await Receiver.start({ answer: () => ({ status: 204 }) });
    const config = writeConfigFile({
      tenants: { acme: { connectors: [{ type: 'paced-webhook', name: 'crm', url: receiver.url, secret: WEBHOOK_SECRET }] } },
    });
    const env = { HOOKLINE_CONFIG: config.path, HOOKLINE_TRANSPORT: 'bullmq', REDIS_URL: redisUrl!, HOOKLINE_REDIS_PREFIX: prefix };
    const apps = await Promise.all(['a', 'b'].map((name) => AppProcess.start(name, env, 'test/fixtures/paced-app.ts')));
    try {
      await inParallel([...Array(DELIVERIES).keys()], 10, async (i) => {
        expect((await apps[i % 2].register('acme', `paced${i}@example.com`)).status).toBe(201);
      });
      await receiver.until(() => receiver.distinct().size === DELIVERIES, 120_000, `${DELIVERIES} deliveries`);

      // 5 per 1-s window, windows shared by both processes: a sliding 4 s meets at most 5 windows (25).
      // Limits kept per process would let 10/s through: 40 within about 4 s.
      expect(receiver.maxInWindow(4_000)).toBeLessThanOrEqual(25);
      const spanMs = receiver.requests.at(-1)!.at - receiver.requests[0].at;
      expect(spanMs).toBeGreaterThanOrEqual(((DELIVERIES - 10) / 5) * 1_000);
      console.log(`rate limit: ${DELIVERIES} deliveries over ${spanMs} ms; at most ${receiver.maxInWindow(1_000)} in any 1 s`);
    } finally {
      await Promise.all(apps.map((app) => app.stop('SIGKILL')));
      await receiver.close();
      config.remove();
      await deleteKeys(redisUrl!, prefix);
    }
  });
});
