import type { Consumer } from '../config/config.model';
import type { CircuitView } from '../delivery/executor/destination-guard';
import type { DeliveryRecord } from '../delivery/records/delivery';
import type { DeliveryPage, DeliveryQuery } from '../delivery/records/delivery-log';

/** A consumer as the admin API lists it: its connector's safe summary (host, fingerprint), never a secret. */
export interface AdminConsumerSummary {
  id: string;
  tenant: string;
  kind: string;
  type: string;
  name: string;
  summary: Record<string, unknown>;
}

export type AdminReplayResult =
  | { status: 'replayed'; delivery: DeliveryRecord }
  | { status: 'not-found' }
  | { status: 'not-dead'; delivery: DeliveryRecord }
  | { status: 'gone'; delivery: DeliveryRecord };

/** A test send's outcome: `eventId` is the test event's (`test_…`), `detail` what the connector reported. */
export interface AdminTestResult {
  status: 'succeeded' | 'failed';
  error: string | null;
  durationMs: number;
  eventId: string;
  detail?: Record<string, unknown>;
}

/**
 * What the admin API needs of a running Hookline: `HooklineService` provides it under
 * {@link HOOKLINE_ADMIN_BACKEND}, so the admin module depends on this port, not on the module's internals.
 */
export interface AdminBackend {
  listDeliveries(query: DeliveryQuery): Promise<DeliveryPage>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  replay(id: string): Promise<AdminReplayResult>;
  listConsumers(): AdminConsumerSummary[];
  circuitOf(tenant: string, consumerId: string): Promise<CircuitView | null>;
  sendTestEvent(consumerId: string): Promise<AdminTestResult | undefined>;
  eraseUserData(userId: string, tenants?: readonly string[]): Promise<{ erased: number }>;
  tenantIds(): readonly string[];
  consumer(id: string): Consumer | undefined;
  auditAdminAction(principal: string, action: string, details?: { tenant?: string; target?: string; [field: string]: unknown }): void;
}

/** The token `HooklineModule` provides its {@link AdminBackend} under. */
export const HOOKLINE_ADMIN_BACKEND = Symbol('HOOKLINE_ADMIN_BACKEND');
