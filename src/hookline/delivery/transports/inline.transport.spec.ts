import { ConfigRegistry } from '../../config/config.registry';
import { ConnectorRegistry } from '../../connectors/connector.registry';
import { createUserRegisteredEvent } from '../../core/events/user-registered.event';
import { HooklineLogger } from '../../core/logging/hookline.logger';
import { Redactor } from '../../core/logging/redactor';
import { DEFAULT_RETRY } from '../../core/retry/retry.policy';
import { DeliveryExecutor } from '../executor/delivery.executor';
import type { DeliveryJob } from '../records/delivery';
import { MemoryDeliveryLog } from '../records/delivery-log';
import { DeliveryRecords } from '../records/delivery-records';
import { InlineTransport } from './inline.transport';

describe('InlineTransport', () => {
  it("gets through a long run of queued deliveries of an erased user (each one ends later, not inside the queue's call)", async () => {
    const logger = new HooklineLogger(false, new Redactor());
    const config = new ConfigRegistry({ tenants: {} }, { registry: new ConnectorRegistry([]), defaults: { retry: DEFAULT_RETRY, timeoutMs: 1_000 } }, logger);
    const records = new DeliveryRecords(new MemoryDeliveryLog());
    const executor = new DeliveryExecutor(config, records, logger, new AbortController().signal);
    const transport = new InlineTransport(executor, records, logger);
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u_erased', email: 'erased@example.com' } });
    const count = 50_000;
    const jobs: DeliveryJob[] = Array.from({ length: count }, (_, i) => ({ deliveryId: `dlv_${i}`, consumerId: 'acme/webhook/crm', kind: 'connector', event, attempts: 0 }));
    // Queued before start, as deliveries published while the app boots are.
    await transport.enqueue(jobs);
    expect(await transport.waiting()).toBe(count);
    expect(transport.eraseUser('u_erased')).toHaveLength(count);
    await transport.start();
    await transport.close(10_000);
    expect(await transport.waiting()).toBe(0);
    executor.close();
  });
});
