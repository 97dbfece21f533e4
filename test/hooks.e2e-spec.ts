import { Test } from '@nestjs/testing';
import { EventEmitterModule } from '@nestjs/event-emitter';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUserRegisteredEvent, HooklineModule, HooklineService, type DeliveryRecord } from 'hookline';
import { CaptureLogger } from './support/capture.logger';
import { Receiver } from './support/receiver';

async function waitForDelivery(service: HooklineService, id: string, status: DeliveryRecord['status']): Promise<DeliveryRecord> {
  for (let i = 0; i < 200; i++) {
    const record = await service.getDelivery(id);
    if (record?.status === status) return record;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`delivery ${id} never reached ${status}: ${JSON.stringify(await service.getDelivery(id))}`);
}

describe('hooks in the Nest module (e2e)', () => {
  let app: INestApplication;
  let receiver: Receiver;
  let dir: string;
  const logger = new CaptureLogger();

  beforeAll(async () => {
    // A local receiver standing in for a CRM: records what hooks POST to it.
    receiver = await Receiver.start({ answer: () => ({ status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'crm_42' }) }) });
    dir = mkdtempSync(join(tmpdir(), 'hookline-e2e-'));
    writeFileSync(
      join(dir, 'crm.js'),
      `module.exports = async function (user, context) {
        const res = await fetch(context.secrets.CRM_URL, {
          method: 'POST',
          headers: { authorization: 'Bearer ' + context.secrets.CRM_TOKEN },
          body: { email: user.email, tenant: user.tenant },
        });
        const created = await res.json();
        console.log('created', created.id, 'with token', context.secrets.CRM_TOKEN);
        if (!res.ok) throw new Error('CRM answered ' + res.status);
      };`,
    );
    writeFileSync(join(dir, 'fails.js'), `module.exports = function (user, context, cb) { cb(new Error('no thanks')); };`);
    writeFileSync(
      join(dir, 'hookline.yaml'),
      `tenants:
  acme:
    hooks:
      - name: crm
        script: crm.js
        secrets: { CRM_URL: "${receiver.url}/contacts", CRM_TOKEN: "tok_supersecret" }
        allowHosts: ["${new URL(receiver.url).host}"]
      - name: fails
        script: fails.js
        retry: { maxAttempts: 3 }
`,
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        HooklineModule.forRoot({
          config: join(dir, 'hookline.yaml'),
          watchConfig: false,
          sandbox: { workers: 1 },
          logger,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a hook that calls fetch to an allowed local host, and records the delivery as succeeded', async () => {
    const service = app.get(HooklineService);
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com' } });
    const { deliveryIds } = await service.publish(event);
    expect(deliveryIds).toHaveLength(2);
    const [crmId, failsId] = deliveryIds;
    await waitForDelivery(service, crmId, 'succeeded');
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0].body)).toEqual({ email: 'ada@example.com', tenant: 'acme' });
    expect(receiver.requests[0].headers).toMatchObject({ authorization: 'Bearer tok_supersecret', 'content-type': 'application/json' });
    // A hook's own error is permanent: dead after one attempt, whatever its retry settings.
    const dead = await waitForDelivery(service, failsId, 'dead');
    expect(dead).toMatchObject({ attempts: 1, lastError: 'HOOK_FAILED: Error: no thanks' });
    const logged = logger.lines.map((l) => l.message).find((m) => m.startsWith('created crm_42'));
    expect(logged).toContain('consumerId=acme/hook/crm');
    expect(logged).toContain(`eventId=${event.id}`);
    expect(logger.text()).not.toContain('tok_supersecret');
  });
});
