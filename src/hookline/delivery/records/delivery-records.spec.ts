import { createUserRegisteredEvent } from '../../core/events/user-registered.event';
import { deliveryIdFor, type DeliveryJob, type DeliveryRecord } from './delivery';
import { MemoryDeliveryLog, type DeliveryLog } from './delivery-log';
import { DeliveryRecords } from './delivery-records';

const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com' } });
const job: DeliveryJob = { deliveryId: deliveryIdFor(event.id, 'acme/webhook/crm'), consumerId: 'acme/webhook/crm', kind: 'connector', event, attempts: 0 };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('DeliveryRecords', () => {
  let log: MemoryDeliveryLog;
  let records: DeliveryRecords;
  const record = () => log.get(job.deliveryId)!;

  beforeEach(() => {
    log = new MemoryDeliveryLog();
    records = new DeliveryRecords(log);
    // The in-memory log answers at once: no promise on the emit path.
    expect(records.pending(job, new Date(T0))).toBe(true);
  });

  it('creates a pending record once per delivery id', async () => {
    expect(record()).toEqual({
      id: job.deliveryId,
      eventId: event.id,
      tenant: 'acme',
      consumer: 'acme/webhook/crm',
      kind: 'connector',
      status: 'pending',
      attempts: 0,
      lastError: null,
      createdAt: iso(T0),
      updatedAt: iso(T0),
      durationMs: null,
      nextAttemptAt: null,
    });
    expect(records.pending(job, new Date(T0 + 1_000))).toBe(false);
    expect(record().createdAt).toBe(iso(T0));
  });

  it('moves a record through running, a retry and success', async () => {
    await records.running(job.deliveryId, 1, T0 + 10);
    expect(record()).toMatchObject({ status: 'running', attempts: 1, updatedAt: iso(T0 + 10), nextAttemptAt: null });
    await records.retrying(job.deliveryId, { attempts: 1, lastError: 'HTTP_503: busy', durationMs: 40, at: T0 + 50, retryInMs: 1_000 });
    expect(record()).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP_503: busy', durationMs: 40, updatedAt: iso(T0 + 50), nextAttemptAt: iso(T0 + 1_050) });
    await records.succeeded(job.deliveryId, 2, 30, { id: 'crm_42' });
    expect(record()).toMatchObject({ status: 'succeeded', attempts: 2, durationMs: 30, detail: { id: 'crm_42' } });
  });

  it('defers without using an attempt, and keeps the last duration when dead without an attempt', async () => {
    await records.retrying(job.deliveryId, { attempts: 1, lastError: 'HTTP_500: boom', durationMs: 25, at: T0, retryInMs: 10 });
    await records.deferred(job.deliveryId, 'CIRCUIT_OPEN: failing', 5_000, T0 + 100);
    expect(record()).toMatchObject({ status: 'pending', attempts: 1, lastError: 'CIRCUIT_OPEN: failing', nextAttemptAt: iso(T0 + 5_100) });
    await records.dead(job.deliveryId, { attempts: 1, lastError: 'WAITING_FULL: too many', at: T0 + 200 });
    expect(record()).toMatchObject({ status: 'dead', attempts: 1, lastError: 'WAITING_FULL: too many', durationMs: 25, updatedAt: iso(T0 + 200), nextAttemptAt: null });
  });

  it('records an interrupted attempt, an abandoned delivery and a replay', async () => {
    await records.interrupted(job.deliveryId, 0, 'SHUTDOWN: cut short');
    expect(record()).toMatchObject({ status: 'failed', attempts: 0, lastError: 'SHUTDOWN: cut short', nextAttemptAt: null });
    await records.abandoned(job.deliveryId, 'it was still queued');
    expect(record()).toMatchObject({ status: 'failed', lastError: 'SHUTDOWN: not finished at shutdown (it was still queued)' });
    await records.dead(job.deliveryId, { attempts: 3, lastError: 'HTTP_410: gone' });
    await records.replayed(job.deliveryId);
    expect(record()).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: null });
  });

  it('forgets a delivery that could not be enqueued, or marks it dead in a log that cannot forget', async () => {
    await records.enqueueFailed(job.deliveryId, new Error('Redis unavailable'));
    expect(log.get(job.deliveryId)).toBeUndefined();

    const kept = new Map<string, DeliveryRecord>();
    const append: DeliveryLog = {
      put: (r) => (kept.set(r.id, r), true),
      update: (id, patch) => (kept.set(id, { ...kept.get(id)!, ...patch }), kept.get(id)),
      get: (id) => kept.get(id),
      list: () => ({ items: [...kept.values()], nextCursor: null }),
    };
    const appendOnly = new DeliveryRecords(append);
    await appendOnly.pending(job);
    await appendOnly.enqueueFailed(job.deliveryId, new Error('Redis unavailable'));
    expect(kept.get(job.deliveryId)).toMatchObject({ status: 'dead', lastError: 'NOT_ENQUEUED: Redis unavailable' });
  });

  it('answers at once with a log that does, later with one that answers later, and reports a failure as a rejection either way', async () => {
    const other: DeliveryJob = { ...job, deliveryId: deliveryIdFor(event.id, 'acme/webhook/erp'), consumerId: 'acme/webhook/erp' };
    expect(records.running(job.deliveryId, 1, T0 + 10)).toBeUndefined();
    expect(records.succeeded(job.deliveryId, 1, 12)).toBeUndefined();
    expect(record()).toMatchObject({ status: 'succeeded', updatedAt: expect.any(String) });

    const later = new MemoryDeliveryLog();
    const deferred: DeliveryLog = {
      put: (r, o) => Promise.resolve(later.put(r, o)),
      update: (id, patch) => Promise.resolve(later.update(id, patch)),
      get: (id) => later.get(id),
      list: (q) => later.list(q),
    };
    const slow = new DeliveryRecords(deferred);
    const put = slow.pending(other, new Date(T0));
    expect(put).toBeInstanceOf(Promise);
    await expect(put).resolves.toBe(true);
    const marked = slow.running(other.deliveryId, 1, T0 + 10);
    expect(marked).toBeInstanceOf(Promise);
    await marked;
    expect(later.get(other.deliveryId)).toMatchObject({ status: 'running', updatedAt: iso(T0 + 10) });

    const failing = new DeliveryRecords({
      put: () => {
        throw new Error('disk full');
      },
      update: () => Promise.reject(new Error('disk still full')),
      get: () => undefined,
      list: () => ({ items: [], nextCursor: null }),
    });
    // A log that throws does not throw into the emit path or the executor: the failure is a rejection.
    const refused = failing.pending(other);
    await expect(refused).rejects.toThrow('disk full');
    await expect(failing.running(other.deliveryId, 1, T0) as Promise<void>).rejects.toThrow('disk still full');
  });

  it("writes each transition's own time, however many records share a millisecond", () => {
    const second: DeliveryJob = { ...job, deliveryId: deliveryIdFor(event.id, 'acme/slack/team'), consumerId: 'acme/slack/team' };
    records.pending(second, new Date(T0));
    expect(log.get(second.deliveryId)!.createdAt).toBe(iso(T0));
    records.running(job.deliveryId, 1, T0 + 7);
    records.running(second.deliveryId, 1, T0 + 7);
    expect(record().updatedAt).toBe(iso(T0 + 7));
    expect(log.get(second.deliveryId)!.updatedAt).toBe(iso(T0 + 7));
    records.running(second.deliveryId, 1, T0 + 8);
    expect(log.get(second.deliveryId)!.updatedAt).toBe(iso(T0 + 8));
  });
});
