import type { DeliveryRecord } from '../delivery/records/delivery';
import type { DeliveryQuery } from '../delivery/records/delivery-log';
import type { AdminBackend } from './admin-backend';

/** Sweeps of the whole delivery log: the most records one request reads. */
const SCAN_LIMIT = 10_000;

/** Every record matching the query, newest first, up to {@link SCAN_LIMIT}. */
export async function scanDeliveries(hookline: AdminBackend, query: DeliveryQuery): Promise<DeliveryRecord[]> {
  const found: DeliveryRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await hookline.listDeliveries({ ...query, limit: 500, cursor });
    found.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && found.length < SCAN_LIMIT);
  return found;
}

export interface ConsumerActivity {
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
}

/** Last success and last failure (failed or dead) per consumer id, by the records' last update. */
export function activityOf(records: readonly DeliveryRecord[]): Map<string, ConsumerActivity> {
  const last = new Map<string, ConsumerActivity>();
  for (const record of records) {
    const entry = last.get(record.consumer) ?? { lastSuccessAt: null, lastFailureAt: null };
    const key = record.status === 'succeeded' ? 'lastSuccessAt' : record.status === 'failed' || record.status === 'dead' ? 'lastFailureAt' : undefined;
    if (key && (!entry[key] || entry[key]! < record.updatedAt)) entry[key] = record.updatedAt;
    last.set(record.consumer, entry);
  }
  return last;
}
