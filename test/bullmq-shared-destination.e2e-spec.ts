import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createUserRegisteredEvent, OPERATOR_EVENTS, type OperatorEvent, type UserRegisteredEvent } from 'hookline';
import { HooklineTestApp } from './support/hookline-test-app';
import { deleteKeys, uniquePrefix } from './support/redis';
import { redisUrlOrSkip } from './support/services';
import { until } from './support/until';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';

const redisUrl = redisUrlOrSkip('bullmq: two instances sharing circuits and destination caps');
jest.setTimeout(90_000);

/** An endpoint that counts the requests it is answering at once, and answers after `delayMs` with `status`. */
class CountingEndpoint {
  status = 204;
  delayMs = 150;
  requests = 0;
  inFlight = 0;
  maxInFlight = 0;
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      this.requests++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      setTimeout(() => {
        this.inFlight--;
        res.writeHead(this.status).end();
      }, this.delayMs);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

let seq = 0;
function events(tenant: string, n: number): UserRegisteredEvent[] {
  return Array.from({ length: n }, () => {
    seq++;
    return createUserRegisteredEvent({ tenant, user: { id: `s${seq}`, email: `s${seq}@example.com` } });
  });
}

function operatorEvents(apps: HooklineTestApp[]): Array<{ name: string; payload: OperatorEvent }> {
  const seen: Array<{ name: string; payload: OperatorEvent }> = [];
  for (const app of apps) {
    const emitter = app.app.get(EventEmitter2);
    for (const name of Object.values(OPERATOR_EVENTS)) emitter.on(name, (payload: OperatorEvent) => seen.push({ name, payload }));
  }
  return seen;
}

async function succeeded(app: HooklineTestApp, tenant: string): Promise<number> {
  return (await app.hookline.listDeliveries({ tenant, status: 'succeeded', limit: 500 })).items.length;
}

(redisUrl ? describe : describe.skip)('two instances on the bullmq transport share each destination', () => {
  let prefix: string;
  let apps: HooklineTestApp[] = [];
  let endpoint: CountingEndpoint;

  beforeEach(async () => {
    prefix = uniquePrefix('shared');
    endpoint = await new CountingEndpoint().start();
  });

  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
    await endpoint.close();
    await deleteKeys(redisUrl!, prefix);
  });

  async function startTwo(config: Record<string, unknown>): Promise<HooklineTestApp[]> {
    const transport = { type: 'bullmq' as const, url: redisUrl!, prefix };
    apps = await Promise.all([0, 1].map(() => HooklineTestApp.start({ config, transport, drainTimeoutMs: 2_000 })));
    return apps;
  }

  it('never has more requests in flight to a destination than its cap, across both instances', async () => {
    const [a, b] = await startTwo({
      tenants: { acme: { connectors: [{ type: 'webhook', name: 'crm', url: endpoint.url, secret: WEBHOOK_SECRET, maxInFlight: 3 }] } },
    });
    const published = events('acme', 80);
    // Half through each instance: both workers take jobs from the one queue.
    await Promise.all(published.map((event, i) => (i % 2 ? a : b).hookline.publish(event)));

    await until(async () => (await succeeded(a, 'acme')) === 80, 60_000, 'all 80 delivered');
    expect(endpoint.requests).toBe(80);
    // Per instance, each could have 3 in flight (6 in all); shared, never more than 3.
    expect(endpoint.maxInFlight).toBeLessThanOrEqual(3);
    expect(endpoint.maxInFlight).toBeGreaterThanOrEqual(2);
    // Both instances ran deliveries.
    for (const app of [a, b]) expect(app.logger.matching(/^delivery succeeded /)).not.toHaveLength(0);
  });

  it('opens the circuit for both instances on failures seen by either, emitting each change once', async () => {
    endpoint.status = 500;
    endpoint.delayMs = 20;
    const [a, b] = await startTwo({
      defaults: { circuit: { failureThreshold: 5, cooldownMs: 1_000, maxCooldownMs: 2_000 } },
      tenants: {
        acme: {
          connectors: [
            { type: 'webhook', name: 'crm', url: endpoint.url, secret: WEBHOOK_SECRET, retry: { maxAttempts: 30, initialDelayMs: 20, maxDelayMs: 50 } },
          ],
        },
      },
    });
    const seen = operatorEvents([a, b]);
    const published = events('acme', 40);
    await Promise.all(published.map((event, i) => (i % 2 ? a : b).hookline.publish(event)));

    await until(() => seen.some((e) => e.name === OPERATOR_EVENTS.circuitOpened), 20_000, 'circuit opens');
    for (const app of [a, b]) {
      const view = await app.hookline.circuitOf('acme', 'acme/webhook/crm');
      expect(view!.state).toMatch(/open/);
      expect(view!.consecutiveFailures).toBeGreaterThanOrEqual(5);
    }
    await new Promise((r) => setTimeout(r, 1_500));
    // 40 deliveries × 30 attempts would be 1,200 requests. Shared: the threshold, what was in flight when
    // it opened (the cap), and a probe per cool-down (≥ 1 s).
    expect(endpoint.requests).toBeLessThanOrEqual(5 + 4 + 3);

    endpoint.status = 204;
    await until(async () => (await succeeded(a, 'acme')) === 40, 40_000, 'every delivery succeeds once the endpoint recovers');
    for (const app of [a, b]) expect(await app.hookline.circuitOf('acme', 'acme/webhook/crm')).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    // Emitted once, by the instance whose write changed the shared state.
    expect(seen.filter((e) => e.name === OPERATOR_EVENTS.circuitOpened)).toHaveLength(1);
    expect(seen.filter((e) => e.name === OPERATOR_EVENTS.circuitClosed)).toHaveLength(1);
    expect(seen.find((e) => e.name === OPERATOR_EVENTS.circuitOpened)!.payload).toMatchObject({
      tenant: 'acme',
      consumerId: 'acme/webhook/crm',
      destination: new URL(endpoint.url).origin,
      reason: expect.stringMatching(/^5 consecutive failures; last: CONNECTOR_REQUEST_FAILED: .*500/),
    });
  });
});
