import { BUILTIN_CONNECTORS } from '../connectors';
import { ConfigRegistry } from '../src/hookline/config/config.registry';
import { ConnectorRegistry } from '../src/hookline/connectors/connector.registry';
import { createUserRegisteredEvent, USER_REGISTERED } from '../src/hookline/core/events/user-registered.event';
import { HooklineLogger } from '../src/hookline/core/logging/hookline.logger';
import { Redactor } from '../src/hookline/core/logging/redactor';
import type { DeliveryJob } from '../src/hookline/delivery/records/delivery';
import { MemoryDeliveryLog } from '../src/hookline/delivery/records/delivery-log';
import { DeliveryRecords } from '../src/hookline/delivery/records/delivery-records';
import { Dispatcher } from '../src/hookline/delivery/dispatcher';
import { DEFAULT_RETRY } from '../src/hookline/core/retry/retry.policy';
import type { Transport } from '../src/hookline/delivery/transports/transport';

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
});
