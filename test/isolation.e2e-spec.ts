import { EventEmitter2 } from '@nestjs/event-emitter';
import { OPERATOR_EVENTS, type OperatorEvent } from 'hookline';
import { SlackFake } from './fakes/slack.fake';
import { HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { signUps as events, transportsUnderTest, until } from './support/until';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';

const redisUrl = redisUrlOrSkip('isolation (bullmq half)');
jest.setTimeout(90_000);

const transports = transportsUnderTest(redisUrl);

const webhook = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  type: 'webhook',
  name,
  url,
  secret: WEBHOOK_SECRET,
  ...extra,
});

/** Collects every operator event the app emits. */
function operatorEvents(app: HooklineTestApp): Array<{ name: string; payload: OperatorEvent }> {
  const seen: Array<{ name: string; payload: OperatorEvent }> = [];
  const emitter = app.app.get(EventEmitter2);
  for (const name of Object.values(OPERATOR_EVENTS)) emitter.on(name, (payload: OperatorEvent) => seen.push({ name, payload }));
  return seen;
}

describe.each(transports)('tenant isolation on the %s transport', (name, transportFor) => {
  let app: HooklineTestApp | undefined;
  let prefix: string;
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(() => {
    prefix = uniquePrefix(`iso-${name}`);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const close of closers.splice(0)) await close();
    if (redisUrl && name === 'bullmq') await deleteKeys(redisUrl, prefix);
  });

  async function start(config: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    app = await HooklineTestApp.start({ config, transport: transportFor(prefix), drainTimeoutMs: 500, ...extra });
    return app;
  }

  it('a slow endpoint with hundreds pending holds back neither another tenant nor more than its cap of slots', async () => {
    const slow = await Receiver.start();
    const calm = await Receiver.start();
    closers.push(() => slow.close(), () => calm.close());
    slow.fallback = { status: 200, body: 'ok', delayMs: 5_000 };
    await start({
      tenants: {
        slowco: { connectors: [webhook('crm', slow.url, { timeoutMs: 8_000 })] },
        calmco: { connectors: [webhook('crm', calm.url)] },
      },
    });
    const started = Date.now();
    for (const event of events('slowco', 300)) await app!.hookline.publish(event);
    await slow.waitFor(1, 10_000);
    for (const event of events('calmco', 5)) await app!.hookline.publish(event);

    await calm.waitFor(5, 10_000);
    const calmDoneIn = Date.now() - started;
    // Every slot the slow tenant may hold is held, and the calm tenant went past it: its first answers are not even back.
    expect(slow.requests.length).toBeLessThanOrEqual(4);
    expect(calmDoneIn).toBeLessThan(5_000);
    const view = await app!.hookline.circuitOf('slowco', 'slowco/webhook/crm');
    expect(view).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(await app!.hookline.circuitOf('calmco', 'slowco/webhook/crm')).toBeNull();
  });

  it('a failing endpoint: its circuit opens, it sees a bounded number of requests, a probe closes it, all succeed', async () => {
    const broken = await Receiver.start();
    closers.push(() => broken.close());
    broken.fallback = { status: 500, body: 'down' };
    await start({
      defaults: { circuit: { failureThreshold: 5, cooldownMs: 500, maxCooldownMs: 1_000 } },
      tenants: {
        brokenco: { connectors: [webhook('crm', broken.url, { retry: { maxAttempts: 20, initialDelayMs: 20, maxDelayMs: 50 } })] },
      },
    });
    const seen = operatorEvents(app!);
    const published = events('brokenco', 60);
    for (const event of published) await app!.hookline.publish(event);

    await until(async () => (await app!.hookline.circuitOf('brokenco', 'brokenco/webhook/crm'))?.state !== 'closed', 10_000, 'circuit opens');
    await new Promise((r) => setTimeout(r, 2_500));
    // 60 deliveries × 20 attempts would be 1,200 requests; the circuit allows the threshold, what was
    // in flight (the cap), and a probe per cool-down (≥ 500 ms, doubling to 1 s).
    expect(broken.requests.length).toBeLessThanOrEqual(5 + 4 + 6);
    const open = await app!.hookline.circuitOf('brokenco', 'brokenco/webhook/crm');
    expect(open!.state).toMatch(/open/);
    expect(open!.consecutiveFailures).toBeGreaterThanOrEqual(5);
    expect(open!.waiting).toBeGreaterThan(40);
    if (name === 'inline') {
      // (bullmq shows a parked delivery as a delayed job, with its last attempt's error.)
      const [waiting] = (await app!.hookline.listDeliveries({ tenant: 'brokenco', status: 'pending', limit: 1 })).items;
      expect(waiting.lastError).toMatch(/^CIRCUIT_OPEN: /);
    }

    broken.fallback = { status: 204 };
    await until(async () => {
      const { items } = await app!.hookline.listDeliveries({ tenant: 'brokenco', status: 'succeeded', limit: 500 });
      return items.length === 60;
    }, 20_000, 'every delivery succeeds once the endpoint recovers');
    expect(await app!.hookline.circuitOf('brokenco', 'brokenco/webhook/crm')).toMatchObject({ state: 'closed', consecutiveFailures: 0, nextProbeAt: null });

    const opened = seen.filter((e) => e.name === OPERATOR_EVENTS.circuitOpened);
    const closed = seen.filter((e) => e.name === OPERATOR_EVENTS.circuitClosed);
    expect(opened).toHaveLength(1);
    expect(closed).toHaveLength(1);
    expect(opened[0].payload).toEqual({
      tenant: 'brokenco',
      consumerId: 'brokenco/webhook/crm',
      destination: new URL(broken.url).origin,
      deliveryId: expect.stringMatching(/^dlv_/),
      eventId: expect.any(String),
      reason: expect.stringMatching(/^5 consecutive failures; last: CONNECTOR_REQUEST_FAILED: .*500/),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(closed[0].payload).toMatchObject({ tenant: 'brokenco', destination: new URL(broken.url).origin, reason: 'a probe succeeded' });
    expect(JSON.stringify(seen)).not.toContain(WEBHOOK_SECRET);
  });

  it('emits hookline.delivery.dead with the last error, and dead-letters a destination that stays down too long', async () => {
    const gone = await Receiver.start();
    const down = await Receiver.start();
    closers.push(() => gone.close(), () => down.close());
    gone.fallback = { status: 410, body: 'gone' };
    down.fallback = { status: 503, body: 'down' };
    await start({
      tenants: {
        acme: {
          connectors: [
            webhook('gone', gone.url),
            webhook('down', down.url, { circuit: { failureThreshold: 1, cooldownMs: 60_000, deadAfterMs: 1_000 }, retry: { maxAttempts: 10, initialDelayMs: 20, maxDelayMs: 20 } }),
          ],
        },
      },
    });
    const seen = operatorEvents(app!);
    const [first, second] = events('acme', 2);
    await app!.hookline.publish(first);
    await until(() => seen.filter((e) => e.name === OPERATOR_EVENTS.circuitOpened).length === 1, 10_000, 'down opens');
    await new Promise((r) => setTimeout(r, 1_100));
    await app!.hookline.publish(second);
    await until(() => seen.filter((e) => e.name === OPERATOR_EVENTS.deliveryDead).length === 4, 15_000, 'four dead deliveries');

    const dead = seen.filter((e) => e.name === OPERATOR_EVENTS.deliveryDead).map((e) => e.payload);
    const goneDead = dead.filter((d) => d.consumerId === 'acme/webhook/gone');
    expect(goneDead).toHaveLength(2);
    expect(goneDead[0]).toMatchObject({ tenant: 'acme', destination: new URL(gone.url).origin, reason: expect.stringMatching(/410/) });
    // The one waiting since the circuit opened, and the one that came after the limit: both dead, unattempted since.
    const downDead = dead.filter((d) => d.consumerId === 'acme/webhook/down');
    expect(downDead.map((d) => d.eventId).sort()).toEqual([first.id, second.id].sort());
    for (const d of downDead) {
      expect(d).toMatchObject({ tenant: 'acme', destination: new URL(down.url).origin, reason: expect.stringMatching(/^CIRCUIT_OPEN: .* longer than circuit.deadAfterMs/) });
      expect(await app!.hookline.getDelivery(d.deliveryId!)).toMatchObject({ status: 'dead', lastError: d.reason });
    }
    expect(down.requests).toHaveLength(1);
  });

  it('a paced Slack backlog holds back neither another tenant nor its own tenant\'s webhook', async () => {
    const slack = new SlackFake() // 1 message/s per webhook, bursts of 2;
    await slack.start();
    const own = await Receiver.start();
    const calm = await Receiver.start();
    closers.push(() => slack.close(), () => own.close(), () => calm.close());
    await start({
      tenants: {
        pacedco: {
          connectors: [
            { type: 'slack', webhookUrl: slack.webhook('B-paced'), text: '{{ user.email }}', digest: { maxItems: 50, maxWaitMs: 200 } },
            webhook('crm', own.url),
          ],
        },
        calmco: { connectors: [webhook('crm', calm.url)] },
      },
    });
    const started = Date.now();
    const batch = events('pacedco', 1_500);
    await Promise.all(batch.map((e) => app!.hookline.publish(e)));
    for (const event of events('calmco', 5)) await app!.hookline.publish(event);

    await calm.waitFor(5, 10_000);
    const calmIn = Date.now() - started;
    await own.waitFor(1_500, 30_000);
    const ownIn = Date.now() - started;
    const slackLines = slack.posted().flatMap((r) => r.payload!.text!.split('\n').slice(1)).length;
    // Slack takes 30 digests at one a second: its backlog is still there when the others are done.
    expect(slackLines).toBeLessThan(1_500);
    expect(calmIn).toBeLessThan(10_000);
    expect(ownIn).toBeLessThan(30_000);
    expect(slack.count(429)).toBe(0);
  });
});
