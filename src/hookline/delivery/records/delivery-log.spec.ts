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

  it('keeps its own copy through updates: neither the record put nor one handed out changes', () => {
    const log = new MemoryDeliveryLog();
    const original = record(1);
    log.put(original);
    const listed = log.list({}).items[0];
    const updated = log.update('d1', { status: 'running', attempts: 1 })!;
    expect(original).toMatchObject({ status: 'pending', attempts: 0 });
    expect(listed).toMatchObject({ status: 'pending', attempts: 0 });
    updated.status = 'dead';
    log.update('d1', { id: 'd9' } as Partial<DeliveryRecord>);
    expect(log.get('d1')).toMatchObject({ id: 'd1', status: 'running', attempts: 1 });
  });
});

describe('MemoryDeliveryLog retention and erasure', () => {
  const DAY = 24 * 3600_000;
  const at = (ms: number) => new Date(ms).toISOString();

  it('drops finished records past the retention, and keeps one still waiting whatever its age', () => {
    const now = Date.now();
    const log = new MemoryDeliveryLog(100, DAY);
    log.put(record(1, { status: 'succeeded', createdAt: at(now - 3 * DAY), updatedAt: at(now - 3 * DAY) }));
    log.put(record(2, { status: 'failed', createdAt: at(now - 2 * DAY), updatedAt: at(now - 2 * DAY) }));
    log.put(record(3, { status: 'dead', createdAt: at(now - 2 * DAY), updatedAt: at(now - 2 * DAY) }));
    log.put(record(4, { status: 'succeeded', createdAt: at(now - 1_000), updatedAt: at(now - 1_000) }));
    expect(log.list({}).items.map((r) => r.id)).toEqual(['d4', 'd2']);
  });

  it('expires on put too, at most once a second, and at once when the clock was set back', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      const log = new MemoryDeliveryLog(100, DAY);
      const old = (i: number) => record(i, { status: 'succeeded', createdAt: at(now - 3 * DAY), updatedAt: at(now - 3 * DAY) });
      log.put(old(1));
      expect(log.get('d1')).toBeUndefined();
      log.put(old(2));
      expect(log.get('d2')).toBeDefined();
      clock.mockReturnValue(now + 1_000);
      log.put(record(3, { createdAt: at(now), updatedAt: at(now) }));
      expect(log.get('d2')).toBeUndefined();
      const again = new MemoryDeliveryLog(100, DAY);
      again.put(old(4));
      again.put(old(5));
      expect(again.get('d5')).toBeDefined();
      clock.mockReturnValue(now - 60_000);
      again.put(record(6, { createdAt: at(now), updatedAt: at(now) }));
      expect(again.get('d5')).toBeUndefined();
    } finally {
      clock.mockRestore();
    }
  });

  it("erases a user's records, within the tenants given", () => {
    const log = new MemoryDeliveryLog();
    log.put(record(1), { userId: 'ada' });
    log.put(record(2), { userId: 'ada' });
    log.put(record(3), { userId: 'bob' });
    expect(log.eraseUser('ada', ['even'])).toEqual(['d2']);
    expect(log.eraseUser('ada')).toEqual(['d1']);
    expect(log.list({}).items.map((r) => r.id)).toEqual(['d3']);
  });
});
