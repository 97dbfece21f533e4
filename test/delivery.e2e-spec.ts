import { createHmac } from 'node:crypto';
import { type DeliveryRecord } from 'hookline';
import { defineConnector, z } from 'hookline/sdk';
import { HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Standard Webhooks verification, written from the spec rather than with the library that signs. */
function verifySignature(headers: Record<string, unknown>, body: string, secret: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}

function webhookConfig(url: string, extra: Record<string, unknown> = {}) {
  return { tenants: { acme: { connectors: [{ type: 'webhook', name: 'crm', url, secret: SECRET, ...extra }] } } };
}

describe('delivery of user.registered to a signed webhook', () => {
  let receiver: Receiver;
  let harness: HooklineTestApp;

  beforeEach(async () => {
    receiver = await Receiver.start();
  });
  afterEach(async () => {
    await harness?.close();
    await receiver.close();
  });

  it('delivers a signed event; the receiver verifies it and the delivery succeeds', async () => {
    harness = await HooklineTestApp.start({ config: webhookConfig(`${receiver.url}/hooks`, { headers: { 'x-source': 'test' } }) });
    const res = await harness.register('acme', { email: 'ada@example.com', username: 'ada' }).expect(201);
    await receiver.waitFor(1);
    const [req] = receiver.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks');
    expect(req.headers['x-source']).toBe('test');
    expect(verifySignature(req.headers, req.body, SECRET)).toBe(true);
    expect(verifySignature(req.headers, req.body.replace('ada', 'eve'), SECRET)).toBe(false);
    const payload = JSON.parse(req.body);
    expect(payload.type).toBe('user.registered');
    expect(payload.data.user).toMatchObject({ id: res.body.id, email: 'ada@example.com', username: 'ada', tenant: 'acme' });
    const [delivery] = await harness.waitForDeliveries((d) => d[0]?.status === 'succeeded');
    expect(delivery).toMatchObject({ id: req.headers['webhook-id'], tenant: 'acme', consumer: 'acme/webhook/crm', attempts: 1 });
    expect(delivery.eventId).toBe(payload.data.id);
  });

  it('retries a 500 and succeeds on the second attempt, with the same webhook-id', async () => {
    receiver.respond({ status: 500, body: 'boom' });
    harness = await HooklineTestApp.start({ config: webhookConfig(receiver.url) });
    await harness.register('acme', { email: 'a@example.com' }).expect(201);
    const [d] = await harness.waitForDeliveries((d) => d[0]?.status === 'succeeded');
    expect(d.attempts).toBe(2);
    expect(d.lastError).toMatch(/500/);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0].headers['webhook-id']).toBe(receiver.requests[1].headers['webhook-id']);
  });

  it('does not retry a 400: the delivery is dead after one attempt', async () => {
    receiver.fallback = { status: 400, body: 'bad request' };
    harness = await HooklineTestApp.start({ config: webhookConfig(receiver.url) });
    await harness.register('acme', { email: 'a@example.com' }).expect(201);
    const [d] = await harness.waitForDeliveries((d) => d[0]?.status === 'dead');
    expect(d.attempts).toBe(1);
    expect(d.lastError).toMatch(/answered 400: bad request/);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(1);
    expect(harness.logger.matching(/delivery dead/)[0].message).toMatch(/consumerId=acme\/webhook\/crm .*attempt=1/);
    // The same line as a JSON logger gets it: one field each.
    expect(harness.logger.matching(/delivery dead/)[0].fields).toEqual({
      msg: 'delivery dead',
      tenant: 'acme',
      consumerId: 'acme/webhook/crm',
      eventId: d.eventId,
      deliveryId: d.id,
      attempt: 1,
      outcome: 'dead',
      durationMs: expect.any(Number),
      error: expect.stringMatching(/answered 400/),
      retryable: false,
      maxAttempts: 3,
    });
  });

  it('gives up after maxAttempts of 5xx and marks the delivery dead', async () => {
    receiver.fallback = { status: 503 };
    harness = await HooklineTestApp.start({ config: webhookConfig(receiver.url, { retry: { maxAttempts: 3 } }) });
    await harness.register('acme', { email: 'a@example.com' }).expect(201);
    const [d] = await harness.waitForDeliveries((d) => d[0]?.status === 'dead');
    expect(d.attempts).toBe(3);
    expect(receiver.requests).toHaveLength(3);
  });

  it('honours Retry-After on a 429: the next attempt comes no sooner than 1 s later', async () => {
    receiver.respond({ status: 429, headers: { 'retry-after': '1' } });
    harness = await HooklineTestApp.start({ config: webhookConfig(receiver.url) });
    await harness.register('acme', { email: 'a@example.com' }).expect(201);
    await harness.waitForDeliveries((d) => d[0]?.status === 'succeeded', 5_000);
    const [first, second] = receiver.requests;
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_000);
  });

  it('times a slow endpoint out and retries it', async () => {
    // Far apart: the retry (answered at once) has a whole second, however busy the machine.
    receiver.respond({ status: 200, delayMs: 10_000 });
    harness = await HooklineTestApp.start({ config: webhookConfig(receiver.url, { timeoutMs: 1_000 }) });
    await harness.register('acme', { email: 'a@example.com' }).expect(201);
    const [d] = await harness.waitForDeliveries((d) => d[0]?.status === 'succeeded');
    expect(d.attempts).toBe(2);
    expect(d.lastError).toMatch(/DELIVERY_TIMEOUT: timed out after 1000 ms/);
  });

  it('emitting the same event twice delivers once per consumer', async () => {
    harness = await HooklineTestApp.start({ config: webhookConfig(receiver.url) });
    const { createUserRegisteredEvent } = await import('../src/hookline');
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'a@example.com' } });
    const first = await harness.hookline.publish(event);
    const second = await harness.hookline.publish(event);
    expect(first.deliveryIds).toHaveLength(1);
    expect(second.deliveryIds).toHaveLength(0);
    await harness.waitForDeliveries((d) => d[0]?.status === 'succeeded');
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('isolation between consumers', () => {
  const hang = defineConnector({
    type: 'hang',
    displayName: 'Hangs forever, ignoring its signal',
    config: z.strictObject({}),
    deliver: () => new Promise(() => undefined),
  });
  const boom = defineConnector({
    type: 'boom',
    displayName: 'Throws a non-Error',
    config: z.strictObject({}),
    deliver: async () => {
      throw 'not an error object';
    },
  });

  it('one consumer hangs and one throws: the working one succeeds, the registration answers at once, nothing is unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const receiver = await Receiver.start();
    const harness = await HooklineTestApp.start({
      connectors: [hang, boom],
      config: {
        tenants: {
          acme: {
            connectors: [
              { type: 'hang', timeoutMs: 300, retry: { maxAttempts: 1 } },
              { type: 'boom' },
              { type: 'webhook', url: receiver.url, secret: SECRET },
            ],
          },
        },
      },
    });
    try {
      const started = Date.now();
      await harness.register('acme', { email: 'a@example.com' }).expect(201);
      expect(Date.now() - started).toBeLessThan(1_000);
      const items = await harness.waitForDeliveries(
        (d) => d.length === 3 && d.every((x) => x.status === 'dead' || x.status === 'succeeded'),
      );
      const by = (type: string) => items.find((d) => d.consumer === `acme/${type}/${type}`) as DeliveryRecord;
      expect(by('webhook').status).toBe('succeeded');
      expect(by('hang')).toMatchObject({ status: 'dead', lastError: expect.stringMatching(/timed out after 300 ms/) });
      expect(by('boom')).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringMatching(/not an error object/) });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await harness.close();
      await receiver.close();
    }
  });
});
