import type { DeliveryRecord, DeliveryStatus } from './delivery';
import { evictOldest } from '../../core/util/bounded-map';
import { CursorInvalidError } from '../../core/errors/cursor-invalid.error';

export interface DeliveryQuery {
  tenant?: string;
  status?: DeliveryStatus;
  consumer?: string;
  eventId?: string;
  /** Only these tenants (an admin token's scope). */
  tenants?: readonly string[];
  /** Created at or after this time (ISO-8601). */
  since?: string;
  /** Created before this time (ISO-8601). */
  until?: string;
  /** @default 50 */
  limit?: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface DeliveryPage {
  items: DeliveryRecord[];
  nextCursor: string | null;
}

export interface PutOptions {
  /** Refuse to replace a record with the same id (answer false). */
  ifAbsent?: boolean;
  /** The user the delivery's event is about: kept beside the record, never shown, so that {@link DeliveryLog.eraseUser} finds it. */
  userId?: string;
}

/** Where delivery records are kept. The default keeps a bounded number in memory. */
export interface DeliveryLog {
  /** Inserts or replaces a record. Returns false when a record with this id already exists and `ifAbsent` is set. */
  put(record: DeliveryRecord, options?: PutOptions): boolean | Promise<boolean>;
  update(id: string, patch: Partial<DeliveryRecord>): DeliveryRecord | undefined | Promise<DeliveryRecord | undefined>;
  /** Forgets a record (one whose delivery could not be enqueued, so that publishing again retries it). */
  remove?(id: string): void | Promise<void>;
  get(id: string): DeliveryRecord | undefined | Promise<DeliveryRecord | undefined>;
  /** Newest first. */
  list(query: DeliveryQuery): DeliveryPage | Promise<DeliveryPage>;
  /**
   * Forgets every record of a user's deliveries (within `tenants` when given), and any payload kept with
   * them; answers their ids. A log without it cannot erase: the user's records stay until they age out.
   */
  eraseUser?(userId: string, tenants?: readonly string[]): string[] | Promise<string[]>;
}

const DEFAULT_DELIVERY_LOG_SIZE = 10_000;
/** How often `put` looks for records past the retention (`list` always does). */
const EXPIRE_EVERY_MS = 1_000;

/** How long finished delivery records (and payloads) are kept by default: 7 days. */
export const DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * In-memory delivery log, bounded: past `maxRecords` the oldest records go first, and a finished record
 * (succeeded or dead) goes once it is older than `maxAgeMs`. A Map keeps insertion order, which is
 * creation order, so eviction and newest-first listing are cheap.
 */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly records = new Map<string, { seq: number; record: DeliveryRecord; userId?: string }>();
  private seq = 0;
  private expiredAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxRecords = DEFAULT_DELIVERY_LOG_SIZE,
    private readonly maxAgeMs = DEFAULT_RETENTION_SECONDS * 1000,
  ) {}

  put(record: DeliveryRecord, options: PutOptions = {}): boolean {
    const existing = this.records.get(record.id);
    if (existing && options.ifAbsent) return false;
    if (existing) this.records.delete(record.id);
    this.records.set(record.id, { seq: ++this.seq, record: { ...record }, userId: options.userId });
    evictOldest(this.records, this.maxRecords);
    // Once a second at most on this path (a clock set back runs it at once): retention is days, and each
    // check makes a date string and walks from the oldest record.
    const now = Date.now();
    if (now < this.expiredAt || now - this.expiredAt >= EXPIRE_EVERY_MS) this.expire(now);
    return true;
  }

  remove(id: string): void {
    this.records.delete(id);
  }

  update(id: string, patch: Partial<DeliveryRecord>): DeliveryRecord | undefined {
    const entry = this.records.get(id);
    if (!entry) return undefined;
    // In place: the stored record is this log's own copy (put, get and list copy across the boundary).
    Object.assign(entry.record, patch);
    entry.record.id = id;
    return { ...entry.record };
  }

  get(id: string): DeliveryRecord | undefined {
    const entry = this.records.get(id);
    return entry && { ...entry.record };
  }

  list(query: DeliveryQuery): DeliveryPage {
    this.expire();
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    if (query.cursor !== undefined && !/^[0-9a-z]{1,12}$/.test(query.cursor)) throw new CursorInvalidError();
    const before = query.cursor ? Number.parseInt(query.cursor, 36) : Number.POSITIVE_INFINITY;
    const entries = [...this.records.values()];
    const items: DeliveryRecord[] = [];
    let last = 0;
    for (let i = entries.length - 1; i >= 0 && items.length <= limit; i--) {
      const { seq, record } = entries[i];
      if (seq >= before) continue;
      if (!matchesQuery(record, query)) continue;
      if (items.length === limit) return { items, nextCursor: last.toString(36) };
      items.push({ ...record });
      last = seq;
    }
    return { items, nextCursor: null };
  }

  eraseUser(userId: string, tenants?: readonly string[]): string[] {
    const erased: string[] = [];
    for (const [id, entry] of this.records) {
      if (entry.userId !== userId || (tenants && !tenants.includes(entry.record.tenant))) continue;
      this.records.delete(id);
      erased.push(id);
    }
    return erased;
  }

  /**
   * Drops finished records past the retention, oldest first. Records are in creation order: the walk stops
   * at the first one created within the retention (a record still waiting or retrying is kept, whatever its age).
   */
  private expire(now = Date.now()): void {
    this.expiredAt = now;
    const horizon = new Date(now - this.maxAgeMs).toISOString();
    for (const [id, { record }] of this.records) {
      if (record.createdAt >= horizon) return;
      if ((record.status === 'succeeded' || record.status === 'dead') && record.updatedAt < horizon) this.records.delete(id);
    }
  }
}

/** The filters of a query besides paging: tenant, status, consumer, event id, creation time. */
function matchesQuery(record: DeliveryRecord, query: DeliveryQuery): boolean {
  if (query.tenant && record.tenant !== query.tenant) return false;
  if (query.tenants && !query.tenants.includes(record.tenant)) return false;
  if (query.status && record.status !== query.status) return false;
  if (query.consumer && record.consumer !== query.consumer) return false;
  if (query.eventId && record.eventId !== query.eventId) return false;
  if (query.since && record.createdAt < new Date(query.since).toISOString()) return false;
  if (query.until && record.createdAt >= new Date(query.until).toISOString()) return false;
  return true;
}
