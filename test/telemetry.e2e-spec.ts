import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { TransportOptions } from 'hookline';
import { createHttpClient } from '../src/hookline/connectors/http-client';
import { HubSpotFake } from './fakes/hubspot.fake';
import { SlackFake } from './fakes/slack.fake';
import request from 'supertest';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { MemoryMetrics, TestTelemetry } from './support/otel';
import { Receiver } from './support/receiver';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { anEvent, WEBHOOK_SECRET } from './support/webhook-fixtures';

jest.setTimeout(60_000);

// Installed before any app starts, as a host starts its OpenTelemetry SDK before Nest.
const otel = TestTelemetry.install();
const redisUrl = redisUrlOrSkip('telemetry (bullmq half)');

/** A sign-up of tenant acme goes to a signed webhook and to a hook that POSTs to the receiver too. */
function signUpConfig(receiver: Receiver, webhook: Partial<{ circuit: Record<string, number>; retry: Record<string, number> }> = {}) {
  return {
    tenants: {
      acme: {
        connectors: [{ type: 'webhook', name: 'crm', url: `${receiver.url}/webhook`, secret: WEBHOOK_SECRET, ...webhook }],
        hooks: [
          {
            name: 'notify',
            source: `module.exports = async function (user, context) {
              const res = await fetch(context.secrets.HOOK_URL, { method: 'POST', body: { email: user.email } });
              if (!res.ok) throw new Error('answered ' + res.status);
            };`,
            secrets: { HOOK_URL: `${receiver.url}/hook` },
            allowHosts: [new URL(receiver.url).host],
          },
        ],
      },
    },
  };
}

const transports: [string, (prefix: string) => TransportOptions][] = [['inline', () => ({ type: 'inline' })]];
if (redisUrl) transports.push(['bullmq', (prefix) => ({ type: 'bullmq', url: redisUrl, prefix })]);

afterAll(() => otel.shutdown());

describe.each(transports)('OpenTelemetry on the %s transport', (name, transportFor) => {
  let receiver: Receiver;
  let app: HooklineTestApp | undefined;
  let prefix: string;
  let metrics: MemoryMetrics;

  beforeEach(async () => {
    receiver = await Receiver.start({ answer: (r) => ({ status: r.path === '/webhook' ? 204 : 200 }) });
    prefix = uniquePrefix(`otel-${name}`);
    // Metrics of this test only: the module's `metrics.meterProvider` option, with a reader of its own.
    metrics = new MemoryMetrics();
    otel.spanExporter.reset();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await receiver.close();
    await metrics.shutdown();
    if (redisUrl && name === 'bullmq') await deleteKeys(redisUrl, prefix);
  });

  const metric = (metricName: string) => metrics.points(metricName);
  const value = (metricName: string, attributes: Record<string, string>) => metrics.value(metricName, attributes);

  it('traces a sign-up from the host request through both deliveries into the receiver, and counts them', async () => {
    app = await HooklineTestApp.start({ config: signUpConfig(receiver), transport: transportFor(prefix), sandbox: { workers: 1 }, metrics: { meterProvider: metrics.meterProvider } });
    const event = anEvent();
    const request = await inRequestSpan(async () => {
      // inline: emitted (fire-and-forget) inside the request; bullmq: published. Both join the request's trace.
      if (name === 'inline') app!.app.get(EventEmitter2).emit('user.registered', event);
      else await app!.hookline.publish(event);
    });

    await receiver.until(() => receiver.requests.length >= 2, 20_000, 'the webhook and the hook request');
    const delivers = await spansOf('hookline.deliver', event.id, 2);
    const [dispatch] = await spansOf('hookline.dispatch', event.id, 1);

    // hookline.dispatch is a child of the host's request span; each hookline.deliver a child of the dispatch.
    expect(dispatch.spanContext().traceId).toBe(request.traceId);
    expect(dispatch.parentSpanContext?.spanId).toBe(request.spanId);
    expect(dispatch.attributes).toMatchObject({ 'hookline.tenant': 'acme', 'hookline.event.id': event.id, 'hookline.deliveries': 2 });
    for (const span of delivers) {
      expect(span.spanContext().traceId).toBe(request.traceId);
      expect(span.parentSpanContext?.spanId).toBe(dispatch.spanContext().spanId);
    }
    const webhook = delivers.find((s) => s.attributes['hookline.consumer.id'] === 'acme/webhook/crm')!;
    const hook = delivers.find((s) => s.attributes['hookline.consumer.id'] === 'acme/hook/notify')!;
    expect(webhook.attributes).toMatchObject({
      'hookline.tenant': 'acme',
      'hookline.consumer.type': 'webhook',
      'hookline.delivery.attempt': 1,
      'hookline.delivery.outcome': 'succeeded',
      'http.response.status_code': 204,
    });
    expect(hook.attributes).toMatchObject({ 'hookline.consumer.type': 'hook', 'hookline.delivery.outcome': 'succeeded' });

    // The hook's fetch has a span under its delivery's; the hook's request itself goes as the script wrote it.
    const [fetchSpan] = otel.spans('hookline.hook.fetch').filter((s) => s.parentSpanContext?.spanId === hook.spanContext().spanId);
    expect(fetchSpan.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200, 'hookline.fetch.refused': false });

    // The receiver sees the webhook attempt's span as the parent of its own work.
    const received = receiver.requests.find((r) => r.path === '/webhook')!;
    expect(received.headers.traceparent).toBe(`00-${request.traceId}-${webhook.spanContext().spanId}-01`);
    expect(receiver.requests.find((r) => r.path === '/hook')!.headers.traceparent).toBeUndefined();

    for (const type of ['webhook', 'hook']) {
      expect(await value('hookline.delivery.attempts', { consumer_type: type, outcome: 'succeeded' })).toBe(1);
      expect(await value('hookline.deliveries.completed', { consumer_type: type, outcome: 'succeeded' })).toBe(1);
      expect(await value('hookline.delivery.attempt.duration_seconds', { consumer_type: type, outcome: 'succeeded' })).toBe(1);
      expect(await value('hookline.deliveries.waiting', { consumer_type: type })).toBe(0);
    }
    expect(await value('hookline.sandbox.invocations', { status: 'ok' })).toBe(1);
    expect((await metric('hookline.sandbox.workers'))[0].value).toBeGreaterThanOrEqual(1);
    expect(await metric('hookline.destination.circuits.open')).toEqual([expect.objectContaining({ value: 0, attributes: {} })]);
    // No tenant label unless asked for.
    expect((await metric('hookline.delivery.attempts')).every((p) => !('tenant' in p.attributes))).toBe(true);
  });

  it('counts failures by outcome, marks the span failed, and shows the open circuit', async () => {
    receiver.answer = (r) => ({ status: r.path === '/webhook' ? 503 : 200 });
    const webhook = { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 }, circuit: { failureThreshold: 2, cooldownMs: 60_000 } };
    app = await HooklineTestApp.start({ config: signUpConfig(receiver, webhook), transport: transportFor(prefix), sandbox: { workers: 1 }, metrics: { meterProvider: metrics.meterProvider } });
    const event = anEvent();
    await app.hookline.publish(event);
    await app.waitForDeliveries((items) => items.some((d) => d.eventId === event.id && d.consumer === 'acme/webhook/crm' && d.status === 'dead'), 20_000);
    const delivers = (await spansOf('hookline.deliver', event.id, 3)).filter((s) => s.attributes['hookline.consumer.type'] === 'webhook');

    expect(delivers.map((s) => s.attributes['hookline.delivery.attempt']).sort()).toEqual([1, 2]);
    for (const span of delivers) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({ 'hookline.delivery.outcome': 'retryable_failure', 'http.response.status_code': 503 });
    }
    expect(await value('hookline.delivery.attempts', { consumer_type: 'webhook', outcome: 'retryable_failure' })).toBe(2);
    expect(await value('hookline.deliveries.completed', { consumer_type: 'webhook', outcome: 'dead' })).toBe(1);
    // Two failures in a row opened the destination's circuit.
    expect(await metric('hookline.destination.circuits.open')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  if (name === 'bullmq') {
    it('counts the queue\'s waiting deliveries by consumer type', async () => {
      // An instance that only publishes: the jobs wait in Redis.
      const transport = { ...transportFor(prefix), worker: false } as TransportOptions;
      app = await HooklineTestApp.start({ config: signUpConfig(receiver), transport, sandbox: { workers: 1 }, metrics: { meterProvider: metrics.meterProvider } });
      await app.hookline.publish(anEvent());
      await app.hookline.publish(anEvent());
      expect(await value('hookline.deliveries.waiting', { consumer_type: 'webhook' })).toBe(2);
      expect(await value('hookline.deliveries.waiting', { consumer_type: 'hook' })).toBe(2);
    });
  }

  if (name === 'inline') {
    it('adds the tenant label when metrics.tenantLabel is set', async () => {
      app = await HooklineTestApp.start({
        config: signUpConfig(receiver),
        transport: transportFor(prefix),
        sandbox: { workers: 1 },
        metrics: { meterProvider: metrics.meterProvider, tenantLabel: true },
      });
      const event = anEvent();
      await app.hookline.publish(event);
      await spansOf('hookline.deliver', event.id, 2);
      expect(await value('hookline.delivery.attempts', { consumer_type: 'webhook', outcome: 'succeeded', tenant: 'acme' })).toBe(1);
      expect(await value('hookline.sandbox.invocations', { status: 'ok', tenant: 'acme' })).toBe(1);
      expect(await value('hookline.deliveries.waiting', { consumer_type: 'hook', tenant: 'acme' })).toBe(0);
    });

    it('gives an admin test send its span but leaves it out of the delivery metrics', async () => {
      app = await HooklineTestApp.start({ config: signUpConfig(receiver), transport: transportFor(prefix), sandbox: { workers: 1 }, metrics: { meterProvider: metrics.meterProvider } });
      await request(app.app.getHttpServer()).post('/hookline/tenants/acme/consumers/webhook/crm/test').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(201);
      const [span] = otel.spans('hookline.deliver').filter((s) => String(s.attributes['hookline.delivery.id']).startsWith('test_'));
      expect(span.attributes).toMatchObject({ 'hookline.consumer.id': 'acme/webhook/crm', 'hookline.delivery.outcome': 'succeeded' });
      expect(receiver.requests[0].headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      expect(await metric('hookline.delivery.attempts')).toEqual([]);
    });
  }
});

describe('Slack and HubSpot requests', () => {
  it('carry the traceparent of their attempt (the Slack client through ctx.http.fetch, HubSpot\'s through traceHeaders)', async () => {
    const token = 'pat-na1-11111111-2222-3333-4444-555555555555';
    const slack = await new SlackFake().start();
    const hubspot = await new HubSpotFake().start();
    hubspot.addToken(token);
    const config = {
      tenants: {
        acme: {
          connectors: [
            { type: 'slack', name: 'signups', webhookUrl: slack.webhook(), text: 'New user: {{ user.email }}' },
            { type: 'hubspot', accessToken: token, baseUrl: hubspot.origin, properties: { email: '{{ user.email }}' }, batch: { maxItems: 10, maxWaitMs: 10 } },
          ],
        },
      },
    };
    const app = await HooklineTestApp.start({ config });
    try {
      const event = anEvent();
      await app.hookline.publish(event);
      const delivers = await spansOf('hookline.deliver', event.id, 2);
      const parentOf = (type: string) => {
        const span = delivers.find((s) => s.attributes['hookline.consumer.type'] === type)!;
        return `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
      };
      expect(slack.posted().map((r) => r.traceparent)).toEqual([parentOf('slack')]);
      expect(hubspot.requests.map((r) => r.traceparent)).toEqual([parentOf('hubspot')]);
      expect(delivers.find((s) => s.attributes['hookline.consumer.type'] === 'slack')!.attributes['http.response.status_code']).toBe(200);
    } finally {
      await app.close();
      await slack.close();
      await hubspot.close();
    }
  });
});

describe('the connectors\' HTTP client', () => {
  it('sends the attempt\'s trace context with request() and fetch(), and hands it to client libraries', async () => {
    const receiver = await Receiver.start();
    const span = trace.getTracer('test').startSpan('hookline.deliver');
    const statuses: number[] = [];
    const http = createHttpClient(new AbortController().signal, { context: trace.setSpan(context.active(), span), status: (code) => statuses.push(code) });
    try {
      await http.request({ method: 'POST', url: `${receiver.url}/request`, body: { a: 1 } });
      await http.fetch(`${receiver.url}/fetch`, { headers: { 'x-own': 'kept' } });
      const traceparent = `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
      expect(receiver.requests.map((r) => r.headers.traceparent)).toEqual([traceparent, traceparent]);
      expect(receiver.requests[1].headers['x-own']).toBe('kept');
      // What the HubSpot connector passes to its own client.
      expect(http.traceHeaders()).toEqual({ traceparent });
      expect(statuses).toEqual([200, 200]);
    } finally {
      span.end();
      await receiver.close();
    }
  });
});

/** Runs `work` inside an active span standing for the host's request; returns that span's ids. */
async function inRequestSpan(work: () => Promise<void>): Promise<{ traceId: string; spanId: string }> {
  return trace.getTracer('host-app').startActiveSpan('POST /tenants/:tenant/users', async (span) => {
    try {
      await work();
      return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    } finally {
      span.end();
    }
  });
}

/** Waits until `count` finished spans of this name carry the event id. */
async function spansOf(spanName: string, eventId: string, count: number, timeoutMs = 20_000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = otel.spans(spanName).filter((s) => s.attributes['hookline.event.id'] === eventId);
    if (spans.length >= count) return spans;
    if (Date.now() > deadline) throw new Error(`${count} ${spanName} spans of ${eventId} never ended; saw ${spans.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
