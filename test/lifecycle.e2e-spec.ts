import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HooklineModule } from 'hookline';
import { defineConnector, z } from 'hookline/sdk';
import { CaptureLogger } from './support/capture.logger';
import { HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const webhookYaml = (url: string, name: string) =>
  `tenants:\n  acme:\n    connectors:\n      - { type: webhook, name: ${name}, url: "${url}", secret: "${SECRET}" }\n`;

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('start-up', () => {
  it('fails with a clear message when the host has no EventEmitterModule', async () => {
    @Module({ imports: [HooklineModule.forRoot({ config: { tenants: {} }, logger: false })] })
    class HostWithoutEmitter {}
    const moduleRef = await Test.createTestingModule({ imports: [HostWithoutEmitter] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(/add EventEmitterModule\.forRoot\(\).*to the imports of your root module/);
    await app.close();
  });

  it('starts once: one "Hookline ready" line (the service is also provided to the admin module)', async () => {
    const harness = await HooklineTestApp.start({ config: { tenants: {} } });
    try {
      expect(harness.logger.matching(/^Hookline ready/)).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });

  it('fails naming the file and the path when the config is invalid', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hookline-')), 'hookline.yaml');
    writeFileSync(file, 'tenants:\n  acme:\n    connectors:\n      - { type: webhook, url: 42 }\n');
    await expect(HooklineTestApp.start({ config: file })).rejects.toThrow(
      new RegExp(`Invalid Hookline config in ${file}[^]*tenants\\.acme\\.connectors\\[0\\]\\.url`),
    );
  });

  it('supports forRootAsync with an injected factory', async () => {
    const { EventEmitterModule } = await import('@nestjs/event-emitter');
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        HooklineModule.forRootAsync({ useFactory: async () => ({ config: { tenants: { acme: {} } }, logger: false }) }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const { HooklineService } = await import('../src/hookline');
    expect(await app.get(HooklineService).listDeliveries({})).toEqual({ items: [], nextCursor: null });
    await app.close();
  });
});

describe('config reload', () => {
  it('applies a valid edit without a restart and rejects an invalid one, keeping the last good config', async () => {
    const a = await Receiver.start();
    const b = await Receiver.start();
    const file = join(mkdtempSync(join(tmpdir(), 'hookline-')), 'hookline.yaml');
    writeFileSync(file, webhookYaml(a.url, 'first'));
    const harness = await HooklineTestApp.start({ config: file, watchConfig: true });
    try {
      await harness.register('acme', { email: 'one@example.com' }).expect(201);
      await a.waitFor(1);

      writeFileSync(file, webhookYaml(b.url, 'second'));
      await until(() => harness.logger.matching(/config reloaded/).length === 1);
      await harness.register('acme', { email: 'two@example.com' }).expect(201);
      await b.waitFor(1);

      writeFileSync(file, 'tenants:\n  acme:\n    connectors:\n      - { type: nope }\n');
      await until(() => harness.logger.matching(/config change rejected/).length === 1);
      const rejection = harness.logger.matching(/config change rejected/)[0];
      expect(rejection.level).toBe('error');
      expect(rejection.message).toContain('tenants.acme.connectors[0].type: unknown connector type "nope"');
      await harness.register('acme', { email: 'three@example.com' }).expect(201);
      await b.waitFor(2);
      expect(a.requests).toHaveLength(1);
      const consumers = (await harness.deliveries()).map((d) => d.consumer);
      expect(consumers).toEqual(['acme/webhook/second', 'acme/webhook/second', 'acme/webhook/first']);
    } finally {
      await harness.close();
      await a.close();
      await b.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('drains in-flight deliveries within the drain time', async () => {
    const receiver = await Receiver.start();
    receiver.fallback = { status: 200, delayMs: 300 };
    const harness = await HooklineTestApp.start({ config: { tenants: { acme: { connectors: [{ type: 'webhook', url: receiver.url, secret: SECRET }] } } }, drainTimeoutMs: 5_000 });
    for (let i = 0; i < 3; i++) await harness.register('acme', { email: `u${i}@example.com` }).expect(201);
    await receiver.waitFor(1);
    const hookline = harness.hookline;
    await harness.close();
    const { items } = await hookline.listDeliveries({});
    expect(items.map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(harness.logger.matching(/not finished at shutdown/)).toEqual([]);
    await receiver.close();
  });

  it('logs each delivery that could not finish within the drain time, and marks it failed', async () => {
    const receiver = await Receiver.start();
    receiver.fallback = { status: 200, delayMs: 5_000 };
    const logger = new CaptureLogger();
    const harness = await HooklineTestApp.start({
      logger,
      concurrency: 1,
      drainTimeoutMs: 200,
      config: { tenants: { acme: { connectors: [{ type: 'webhook', url: receiver.url, secret: SECRET }] } } },
    });
    await harness.register('acme', { email: 'a@example.com' }).expect(201);
    await harness.register('acme', { email: 'b@example.com' }).expect(201);
    await receiver.waitFor(1);
    const hookline = harness.hookline;
    const started = Date.now();
    await harness.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    const lost = logger.matching(/delivery not finished at shutdown/);
    // One was sending, one waiting for the only request slot: each is reported once, with its ids.
    expect(lost).toHaveLength(2);
    for (const line of lost) expect(line.message).toMatch(/: it was still \w+ tenant=acme consumerId=acme\/webhook\/webhook eventId=\S+ deliveryId=dlv_/);
    expect(new Set(lost.map((l) => /deliveryId=(\S+)/.exec(l.message)![1])).size).toBe(2);
    const { items } = await hookline.listDeliveries({});
    expect(items.map((d) => d.status)).toEqual(['failed', 'failed']);
    await receiver.close();
  });

  it('a shutdown during a rate-limit wait leaves deliveries retryable, never dead, with no attempt used', async () => {
    const paced = defineConnector({
      type: 'paced',
      displayName: 'One request per second',
      config: z.strictObject({}),
      rateLimit: () => ({ key: 'paced', requests: 1, perMs: 1_000 }),
      deliver: async () => undefined,
    });
    const harness = await HooklineTestApp.start({
      connectors: [paced],
      drainTimeoutMs: 100,
      config: { tenants: { acme: { connectors: [{ type: 'paced', retry: { maxAttempts: 1 } }] } } },
    });
    for (let i = 0; i < 4; i++) await harness.register('acme', { email: `p${i}@example.com` }).expect(201);
    await harness.waitForDeliveries((d) => d.some((x) => x.status === 'succeeded'));
    const hookline = harness.hookline;
    await harness.close();
    const { items } = await hookline.listDeliveries({});
    expect(items.filter((d) => d.status === 'dead')).toEqual([]);
    const unfinished = items.filter((d) => d.status !== 'succeeded');
    expect(unfinished.length).toBeGreaterThan(0);
    for (const d of unfinished) expect(d).toMatchObject({ status: 'failed', attempts: 0, lastError: expect.stringMatching(/^SHUTDOWN/) });
  });
});
