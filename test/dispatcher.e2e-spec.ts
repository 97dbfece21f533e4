import { BUILTIN_CONNECTORS } from '../connectors';
import { ConfigRegistry } from '../src/hookline/config/config.registry';
import { ConnectorRegistry } from '../src/hookline/connectors/connector.registry';
import { createUserRegisteredEvent, POST_USER_REGISTRATION, USER_REGISTERED } from '../src/hookline/core/events/user-registered.event';
import { HooklineLogger } from '../src/hookline/core/logging/hookline.logger';
import { Redactor } from '../src/hookline/core/logging/redactor';
import type { DeliveryJob } from '../src/hookline/delivery/records/delivery';
import { MemoryDeliveryLog } from '../src/hookline/delivery/records/delivery-log';
import { DeliveryRecords } from '../src/hookline/delivery/records/delivery-records';
import { Dispatcher } from '../src/hookline/delivery/dispatcher';
import { DEFAULT_RETRY } from '../src/hookline/core/retry/retry.policy';
import type { Transport } from '../src/hookline/delivery/transports/transport';
import type { CompiledTenant, TenantSource } from '../src/hookline/config/config-source';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A transport that refuses the first enqueue (Redis down, say) and accepts the next. */
class FlakyTransport implements Transport {
  readonly name = 'flaky';
  readonly accepted: DeliveryJob[] = [];
  private failures = 1;
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  async replay(): Promise<boolean> {
    return false;
  }
  async enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    if (this.failures-- > 0) throw new Error('transport unavailable');
    this.accepted.push(...jobs);
  }
}

describe('Dispatcher', () => {
  const logger = new HooklineLogger(false, new Redactor());
  const config = new ConfigRegistry(
    { tenants: { acme: { connectors: [{ type: 'webhook', url: 'https://example.com', secret: SECRET }] } } },
    { registry: new ConnectorRegistry(BUILTIN_CONNECTORS), defaults: { retry: DEFAULT_RETRY, timeoutMs: 1_000 } },
    logger,
  );

  it('forgets the records of deliveries it could not enqueue, so publishing again enqueues them', async () => {
    const log = new MemoryDeliveryLog();
    const transport = new FlakyTransport();
    const dispatcher = new Dispatcher(config, new DeliveryRecords(log), transport, logger);
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1' } });
    await expect(dispatcher.dispatch(USER_REGISTERED, event)).rejects.toThrow('transport unavailable');
    expect(log.list({}).items).toEqual([]);
    const again = await dispatcher.dispatch(USER_REGISTERED, event);
    expect(again.deliveryIds).toHaveLength(1);
    expect(transport.accepted.map((j) => j.deliveryId)).toEqual(again.deliveryIds);
    expect(log.list({}).items.map((r) => r.status)).toEqual(['pending']);
  });

  it('drops events of unconfigured tenants and remembers a bounded number of them', async () => {
    const dispatcher = new Dispatcher(config, new DeliveryRecords(new MemoryDeliveryLog()), new FlakyTransport(), logger);
    for (let i = 0; i < 1_500; i++) {
      const result = await dispatcher.dispatch(USER_REGISTERED, createUserRegisteredEvent({ tenant: `t${i}`, user: { id: 'u' } }));
      expect(result.deliveryIds).toEqual([]);
    }
    expect((dispatcher as unknown as { unknownTenants: Set<string> }).unknownTenants.size).toBeLessThanOrEqual(1_000);
  });

  it('answers a tenant of the static config at once, and one of the tenant store later, with the same consumers', async () => {
    const store = new ConfigRegistry(
      { tenants: { acme: { connectors: [{ type: 'webhook', url: 'https://example.com', secret: SECRET }] } } },
      { registry: new ConnectorRegistry(BUILTIN_CONNECTORS), defaults: { retry: DEFAULT_RETRY, timeoutMs: 1_000 } },
      logger,
    );
    const globex = store.compileTenant('globex', { connectors: [{ type: 'webhook', url: 'https://example.org', secret: SECRET }] }, {}, 'test');
    const source: TenantSource = {
      name: 'a test store',
      tenant: async (id): Promise<CompiledTenant | undefined> =>
        id === 'globex' ? { id, consumers: [...globex.consumers.values()], secretValues: [], version: 1 } : undefined,
      defined: async (ids) => ids.filter((id) => id === 'globex'),
    };
    await store.attachTenants(source);
    const fromConfig = store.consumersFor('acme', POST_USER_REGISTRATION);
    expect(Array.isArray(fromConfig)).toBe(true);
    expect((fromConfig as readonly { id: string }[]).map((c) => c.id)).toEqual(['acme/webhook/webhook']);
    expect(store.hasTenant('acme')).toBe(true);
    const fromStore = store.consumersFor('globex', POST_USER_REGISTRATION);
    expect(fromStore).toBeInstanceOf(Promise);
    expect((await fromStore).map((c) => c.id)).toEqual(['globex/webhook/webhook']);
    await expect(store.hasTenant('globex')).resolves.toBe(true);
    await expect(store.hasTenant('initech')).resolves.toBe(false);
  });

  it('writes the pending records of a static tenant before dispatch returns, and reports a failing log or store as a rejection', async () => {
    const log = new MemoryDeliveryLog();
    const dispatcher = new Dispatcher(config, new DeliveryRecords(log), new FlakyTransport(), logger);
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1' } });
    const settled = expect(dispatcher.dispatch(USER_REGISTERED, event)).rejects.toThrow('transport unavailable');
    // Nothing in memory is awaited: the record is there before the caller's first await.
    expect(log.list({}).items.map((r) => [r.eventId, r.status])).toEqual([[event.id, 'pending']]);
    await settled;

    const throwing = new Dispatcher(
      config,
      new DeliveryRecords({
        put: () => {
          throw new Error('the log is full');
        },
        update: () => undefined,
        get: () => undefined,
        list: () => ({ items: [], nextCursor: null }),
      }),
      new FlakyTransport(),
      logger,
    );
    let dispatching: Promise<unknown> | undefined;
    expect(() => (dispatching = throwing.dispatch(USER_REGISTERED, event))).not.toThrow();
    await expect(dispatching).rejects.toThrow('the log is full');

    const broken = new ConfigRegistry(
      { tenants: { acme: {} } },
      { registry: new ConnectorRegistry(BUILTIN_CONNECTORS), defaults: { retry: DEFAULT_RETRY, timeoutMs: 1_000 } },
      logger,
    );
    await broken.attachTenants({
      name: 'a broken store',
      tenant: () => {
        throw new Error('the store is down');
      },
      defined: async () => [],
    });
    const unreadable = new Dispatcher(broken, new DeliveryRecords(new MemoryDeliveryLog()), new FlakyTransport(), logger);
    let reading: Promise<unknown> | undefined;
    expect(() => (reading = unreadable.dispatch(USER_REGISTERED, createUserRegisteredEvent({ tenant: 'globex', user: { id: 'u2' } })))).not.toThrow();
    await expect(reading).rejects.toThrow('the store is down');
  });
});
