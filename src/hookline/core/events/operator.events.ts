/**
 * Operator events: emitted on the host's EventEmitter2 so an app can alert on them.
 * Each is emitted once per state change, by the instance whose write changed the shared state
 * (`hookline.tenant.throttled`: once per tenant per budget window). Payloads never carry secrets.
 */
export const OPERATOR_EVENTS = {
  deliveryDead: 'hookline.delivery.dead',
  circuitOpened: 'hookline.destination.circuit_opened',
  circuitClosed: 'hookline.destination.circuit_closed',
  tenantThrottled: 'hookline.tenant.throttled',
} as const;

export type OperatorEventName = (typeof OPERATOR_EVENTS)[keyof typeof OPERATOR_EVENTS];

export interface OperatorEvent {
  tenant: string;
  consumerId?: string;
  /** The destination key, as `GET <admin>/consumers` shows it (an origin, a HubSpot account fingerprint, `hook:<name>`). */
  destination: string;
  deliveryId?: string;
  eventId?: string;
  /** Why, in words an operator can act on (for `delivery.dead`, the delivery's last error). */
  reason: string;
  /** ISO-8601 time of the state change. */
  at: string;
}

/** The smallest surface of EventEmitter2 that operator events need. */
export interface OperatorEventSink {
  emit(event: string, payload: OperatorEvent): unknown;
}

/** Emits an operator event; a listener that throws never reaches delivery code. */
export function emitOperatorEvent(
  sink: OperatorEventSink | undefined,
  name: OperatorEventName,
  payload: Omit<OperatorEvent, 'at'> & { at?: string },
): void {
  if (!sink) return;
  try {
    sink.emit(name, { ...payload, at: payload.at ?? new Date().toISOString() });
  } catch {
    // An app's alerting listener must never break delivery.
  }
}

/** Emitted for every write through the admin API (replay, bulk replay, a run of the Runner). */
export const ADMIN_ACTION_EVENT = 'hookline.admin.action';

export interface AdminActionEvent {
  /** What was done: `delivery.replay`, `deliveries.replay`, `runner.run`. */
  action: string;
  /** Who: a token's fingerprint (`token:…`), never the token. */
  principal: string;
  tenant?: string;
  /** What it was done to: a delivery id, a hook id, … */
  target?: string;
  /** ISO-8601. */
  at: string;
}
