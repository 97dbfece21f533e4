import type { DeliveryRecord } from './delivery';
import { MemoryDeliveryLog } from './delivery-log';

const record = (i: number, patch: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id: `d${i}`,
  eventId: `e${i}`,
  tenant: i % 2 ? 'odd' : 'even',
  consumer: 'c',
  kind: 'connector',
  status: 'pending',
  attempts: 0,
  lastError: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  durationMs: null,
  nextAttemptAt: null,
  ...patch,
});

describe('MemoryDeliveryLog', () => {
  it('keeps at most maxRecords, evicting the oldest', () => {
    const log = new MemoryDeliveryLog(3);
    for (let i = 1; i <= 5; i++) log.put(record(i));
    expect(log.list({}).items.map((r) => r.id)).toEqual(['d5', 'd4', 'd3']);
    expect(log.get('d1')).toBeUndefined();
  });

  it('refuses a duplicate with ifAbsent, and updates in place', () => {
    const log = new MemoryDeliveryLog();
    expect(log.put(record(1), { ifAbsent: true })).toBe(true);
    expect(log.put(record(1, { status: 'dead' }), { ifAbsent: true })).toBe(false);
    expect(log.update('d1', { status: 'succeeded', attempts: 1 })).toMatchObject({ id: 'd1', status: 'succeeded', attempts: 1 });
    expect(log.update('missing', { status: 'dead' })).toBeUndefined();
  });

  it('filters and pages newest first without skipping or repeating', () => {
    const log = new MemoryDeliveryLog();
    for (let i = 1; i <= 9; i++) log.put(record(i));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = log.list({ tenant: 'odd', limit: 2, cursor });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['d9', 'd7', 'd5', 'd3', 'd1']);
  });

  it('hands out copies: callers cannot change the stored record', () => {
    const log = new MemoryDeliveryLog();
    log.put(record(1));
    log.get('d1')!.status = 'dead';
    expect(log.get('d1')!.status).toBe('pending');
  });
});
