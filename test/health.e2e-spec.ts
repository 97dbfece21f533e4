import { writeFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { HooklineModule, HooklineService, type HooklineModuleOptions } from 'hookline';
import { HealthSetupError, HooklineHealthModule } from 'hookline/health';
import { HealthController } from '../sample/health/health.controller';
import { CaptureLogger } from './support/capture.logger';
import { Receiver } from './support/receiver';
import { OwnRedis } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { writeConfigFile } from './support/app-process';
import { anEvent, webhookConfig } from './support/webhook-fixtures';

/**
 * A host app as the README shows it: its own health controller (the example app's), terminus, and
 * `HooklineHealthModule` beside `HooklineModule.forRoot` — the indicator resolves from the host's module.
 */
async function hostApp(options: Partial<HooklineModuleOptions> & Pick<HooklineModuleOptions, 'config'>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({ watchConfig: false, logger: new CaptureLogger(), retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }, ...options }),
      TerminusModule.forRoot({ logger: false }),
      HooklineHealthModule,
    ],
    controllers: [HealthController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const health = (app: INestApplication) => request(app.getHttpServer()).get('/health');

/** Polls GET /health until it answers `status`; returns that answer. */
async function healthUntil(app: INestApplication, status: number, timeoutMs = 20_000): Promise<request.Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await health(app);
    if (res.status === status) return res;
    if (Date.now() > deadline) throw new Error(`GET /health never answered ${status}; last: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /health with HooklineHealthIndicator (terminus)', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(() => receiver.close());

  it('answers 200 `ok` with the details: transport, config, waiting count, open circuits', async () => {
    const app = await hostApp({ config: webhookConfig(receiver.url) });
    try {
      const res = await health(app).expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        info: { hookline: expect.any(Object) },
        error: {},
        details: {
          hookline: {
            status: 'up',
            problems: [],
            transport: 'inline',
            config: { loaded: true, lastRejectedAt: null },
            waiting: 0,
            openCircuits: 0,
          },
        },
      });
    } finally {
      await app.close();
    }
  });

  it('stays 200 but `degraded` with an open circuit and a rejected config change, naming both', async () => {
    const down = await Receiver.start({ answer: () => ({ status: 503 }) });
    const circuit = { failureThreshold: 1, cooldownMs: 60_000 };
    const file = writeConfigFile({ tenants: { acme: { connectors: [{ type: 'webhook', name: 'crm', url: down.url, secret: webhookConfig('').tenants.acme.connectors[0].secret, circuit }] } } });
    const app = await hostApp({ config: file.path, watchConfig: true });
    try {
      await app.get(HooklineService).publish(anEvent());
      await down.until(() => down.requests.length >= 1, 10_000, 'one failed request');
      writeFileSync(file.path, '{ "tenants": { "acme": { "connectors": [{ "type": "webhook" }] } } }');
      // Polled until the retry is parked behind the circuit (between two attempts it is briefly in neither count).
      const res = await pollBody(app, (b) => b.details?.hookline?.openCircuits === 1 && b.details.hookline.waiting === 1 && b.details.hookline.config.lastRejectedAt !== null);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.details.hookline).toMatchObject({
        status: 'degraded',
        openCircuits: 1,
        waiting: 1, // the delivery parked behind the open circuit
        problems: [expect.stringMatching(/^the config change of .* was rejected; the last good config stays$/), '1 destination circuit(s) open: their deliveries wait'],
      });
    } finally {
      await app.close();
      await down.close();
      file.remove();
    }
  });

  it('answers 503 `down` when hooks are configured and no sandbox worker starts after repeated restarts', async () => {
    // Flags node refuses together: every sandbox worker exits at once, as with a broken install.
    const flags = ['--use-openssl-ca', '--use-bundled-ca'];
    process.execArgv.push(...flags);
    const hooks = { tenants: { acme: { hooks: [{ name: 'h', source: 'module.exports = (u, c, cb) => cb();' }] } } };
    let app: INestApplication | undefined;
    try {
      app = await hostApp({ config: hooks, sandbox: { workers: 1 } });
      const res = await healthUntil(app, 503);
      expect(res.body.status).toBe('error');
      expect(res.body.error.hookline).toMatchObject({
        status: 'down',
        sandbox: { workers: 0, failedStarts: expect.any(Number) },
        problems: [expect.stringMatching(/^hooks are configured and no sandbox worker starts \(\d+ failed starts in a row\)$/)],
      });
      expect(res.body.error.hookline.sandbox.failedStarts).toBeGreaterThanOrEqual(3);
    } finally {
      process.execArgv.splice(process.execArgv.length - flags.length, flags.length);
      await app?.close();
    }
  });

  it('fails start-up with a clear error when HooklineModule is missing', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TerminusModule.forRoot({ logger: false }), HooklineHealthModule], controllers: [HealthController] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(HealthSetupError);
    await app.close().catch(() => undefined);
  });
});

const redisUrl = redisUrlOrSkip('health: Redis stopped and restarted');

(redisUrl ? describe : describe.skip)('GET /health on the bullmq transport when its Redis stops', () => {
  jest.setTimeout(90_000);

  it('goes 503 with failOnTransportDown and back to 200 when Redis returns; by default stays 200, degraded', async () => {
    const redis = await OwnRedis.start();
    const receiver = await Receiver.start();
    const transport = { type: 'bullmq' as const, url: redis.url, prefix: 'health' };
    const strict = await hostApp({ config: webhookConfig(receiver.url), transport, health: { failOnTransportDown: true } });
    const lenient = await hostApp({ config: webhookConfig(receiver.url), transport });
    try {
      for (const app of [strict, lenient]) {
        const res = await healthUntil(app, 200);
        expect(res.body.details.hookline).toMatchObject({ status: 'up', transport: 'bullmq', redis: 'up', waiting: 0, openCircuits: 0 });
      }

      await redis.kill();
      const down = await healthUntil(strict, 503);
      expect(down.body).toMatchObject({ status: 'error', error: { hookline: { status: 'down', redis: 'down', waiting: null, openCircuits: null } } });
      expect(down.body.error.hookline.problems).toEqual([expect.stringMatching(/^Redis does not answer \(.+\): deliveries wait, publishing fails$/)]);
      const degraded = await health(lenient).expect(200);
      expect(degraded.body).toMatchObject({ status: 'degraded', details: { hookline: { status: 'degraded', redis: 'down' } } });

      await redis.start();
      const back = await healthUntil(strict, 200, 30_000);
      expect(back.body).toMatchObject({ status: 'ok', details: { hookline: { status: 'up', redis: 'up' } } });
      await healthUntil(lenient, 200, 30_000).then((res) => expect(res.body.status).toBe('ok'));
    } finally {
      await strict.close();
      await lenient.close();
      await receiver.close();
      await redis.stop();
    }
  });
});

/** Polls GET /health until its body satisfies `predicate`. */
async function pollBody(app: INestApplication, predicate: (body: Record<string, any>) => boolean, timeoutMs = 15_000): Promise<request.Response> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await health(app);
    if (predicate(res.body)) return res;
    if (Date.now() > deadline) throw new Error(`GET /health never matched; last: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
