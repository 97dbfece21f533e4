import { hash } from 'node:crypto';
import type { UserRegisteredEvent } from '../../core/events/user-registered.event';
import type { ConsumerKind } from '../../config/config.model';

export type DeliveryStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'dead';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'running', 'succeeded', 'failed', 'dead'];

/** One event for one consumer, as recorded. `failed` means an attempt failed and a retry is scheduled. */
export interface DeliveryRecord {
  id: string;
  eventId: string;
  tenant: string;
  consumer: string;
  kind: ConsumerKind;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  /** Duration of the last attempt. */
  durationMs: number | null;
  nextAttemptAt: string | null;
  /** What the destination reported on success (an id it assigned, say). */
  detail?: Record<string, unknown>;
}

/** What a transport carries: enough to run an attempt after a restart, and no secret. */
export interface DeliveryJob {
  deliveryId: string;
  consumerId: string;
  kind: ConsumerKind;
  event: UserRegisteredEvent;
  /** Attempts already made. */
  attempts: number;
  /** The W3C trace context of its dispatch (`traceparent`, `tracestate`): each attempt's span is its child. */
  trace?: Record<string, string>;
}

/**
 * Delivery ids are derived from event id and consumer id, so the same event emitted twice maps to
 * the same delivery (idempotent enqueue) and the id is stable across retries (Standard Webhooks `webhook-id`).
 */
export function deliveryIdFor(eventId: string, consumerId: string): string {
  // One-shot: a third of createHash's cost, the same digest.
  return 'dlv_' + hash('sha256', `${eventId}\0${consumerId}`, 'base64url').slice(0, 22);
}
