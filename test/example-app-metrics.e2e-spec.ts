import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { writeConfigFile } from './support/app-process';
import { Receiver } from './support/receiver';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';

jest.setTimeout(60_000);

/** The names docs/observability.md promises, as Prometheus scrapes them from the example app. */
const DOCUMENTED = [
  'hookline_delivery_attempts_total',
  'hookline_deliveries_completed_total',
  'hookline_delivery_attempt_duration_seconds',
  'hookline_deliveries_waiting',
  'hookline_sandbox_invocations_total',
  'hookline_sandbox_workers',
  'hookline_destination_circuits_open',
];

describe('example app: GET /metrics (HOOKLINE_METRICS=prometheus)', () => {
  let app: NestExpressApplication;
  let receiver: Receiver;
  let config: { path: string; remove: () => void };

  beforeAll(async () => {
    receiver = await Receiver.start();
    config = writeConfigFile({
      tenants: {
        acme: {
          connectors: [{ type: 'webhook', name: 'crm', url: `${receiver.url}/webhook`, secret: WEBHOOK_SECRET }],
          hooks: [{ name: 'log', source: 'module.exports = function (user, context, cb) { cb(null, { ok: true }); };' }],
        },
      },
    });
    process.env.HOOKLINE_CONFIG = config.path;
    process.env.HOOKLINE_METRICS = 'prometheus';
    const { createApp } = await import('../sample/main');
    app = await createApp({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    config?.remove();
    delete process.env.HOOKLINE_METRICS;
    delete process.env.HOOKLINE_CONFIG;
  });

  it('serves every documented metric in Prometheus text after a sign-up', async () => {
    const server = app.getHttpServer();
    await request(server).post('/tenants/acme/users').send({ email: 'ada@example.com' }).expect(201);
    await receiver.waitFor(1);

    let text = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const res = await request(server).get('/metrics').expect(200);
      text = res.text;
      if (/hookline_deliveries_completed_total\{[^}]*consumer_type="hook"/.test(text) && /consumer_type="webhook",outcome="succeeded"/.test(text)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const name of DOCUMENTED) expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    expect(text).toMatch(/^hookline_delivery_attempts_total\{[^}]*consumer_type="webhook",outcome="succeeded"[^}]*\} 1/m);
    expect(text).toMatch(/^hookline_deliveries_completed_total\{[^}]*consumer_type="hook",outcome="succeeded"[^}]*\} 1/m);
    expect(text).toMatch(/^hookline_delivery_attempt_duration_seconds_bucket\{[^}]*consumer_type="webhook",outcome="succeeded"[^}]*le="\+Inf"\} 1/m);
    expect(text).toMatch(/^hookline_sandbox_invocations_total\{[^}]*status="ok"[^}]*\} 1/m);
    expect(text).toMatch(/^hookline_deliveries_waiting\{[^}]*consumer_type="webhook"[^}]*\} 0/m);
    expect(text).toMatch(/^hookline_destination_circuits_open(\{[^}]*\})? 0/m);
    // No tenant label by default (metrics.tenantLabel is off).
    expect(text).not.toMatch(/tenant="acme"/);
  });
});
