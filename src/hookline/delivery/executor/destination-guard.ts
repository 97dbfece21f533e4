import type { Consumer } from '../../config/config.model';
import { ConnectorRequestError, RateLimitedError, type DeliveryError } from '../../core/errors/delivery.errors';
import { emitOperatorEvent, OPERATOR_EVENTS, type OperatorEventSink } from '../../core/events/operator.events';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import { isPromiseLike, type MaybePromise } from '../../core/util/maybe-promise';
import type { DeliveryJob } from '../records/delivery';
import { MemoryCircuitStore, type Admission, type CircuitChange, type CircuitState, type CircuitStore, type RequestVerdict } from './circuit-breaker';
import { messageOf } from './error-classifier';
import type { DestinationLeases, LeaseOutcome } from './destination-leases';

/** The circuit of a consumer's destination, as the admin API shows it. */
export interface CircuitView {
  state: CircuitState;
  consecutiveFailures: number;
  nextProbeAt: string | null;
  /** Deliveries parked for this destination (on this instance with `inline`; in Redis with `bullmq`). */
  waiting: number;
}

/** Why a delivery waits outside any slot. */
export type ParkReason = 'circuit' | 'capacity';

/** Wakes parked deliveries of a destination before their timer (a transport's job). */
export type Waker = (destination: string, deliveryIds: string[]) => void;

/** Parked deliveries remembered per destination, to wake early, when they wait in Redis. */
const MAX_REMEMBERED_PARKED = 10_000;

/** A probe that never reports back (its instance died) gives its turn to another after its timeout and this. */
const PROBE_GRACE_MS = 5_000;

/** The key caps and circuits are kept under: the tenant and the destination (tenants never share one). */
export function destinationKey(consumer: Pick<Consumer, 'tenant' | 'destination'>): string {
  // Asked several times per delivery, as a Map key each time: a string made once per consumer object
  // (a config reload makes new ones) is hashed once, where a fresh concatenation is built and hashed again.
  let key = destinationKeys.get(consumer);
  if (key === undefined) destinationKeys.set(consumer, (key = `${consumer.tenant}|${consumer.destination}`));
  return key;
}

const destinationKeys = new WeakMap<Pick<Consumer, 'tenant' | 'destination'>, string>();

/**
 * The per-destination side of isolation: the circuit breaker (through a {@link CircuitStore}, in memory or
 * shared in Redis), the deliveries parked while it is open or while the destination is at its cap, and
 * the operator events. The executor asks it before an attempt and tells it each request's verdict.
 */
export class DestinationGuard {
  private readonly parked = new Map<string, Map<string, ParkReason>>();
  private waker?: Waker;

  constructor(
    private readonly logger: HooklineLogger,
    readonly store: CircuitStore = new MemoryCircuitStore(),
    private readonly events?: OperatorEventSink,
    /** Request slots shared across instances (bullmq); without them, the caps hold per instance. */
    private readonly leases?: DestinationLeases,
  ) {}

  /** The transport's way to run parked deliveries at once (a closed circuit, a freed slot). */
  setWaker(waker: Waker): void {
    this.waker = waker;
    this.leases?.setWaker(waker);
  }

  /** Whether the destinations' slots are shared across instances (then {@link lease} decides). */
  get sharesSlots(): boolean {
    return this.leases !== undefined;
  }

  /**
   * One of the destination's slots, shared across instances, for this delivery: `acquired`, or `queued`
   * (woken through the waker when a slot is handed to it). `unshared` without shared slots, or while
   * their store does not answer: the caller then applies the cap per instance.
   */
  async lease(consumer: Consumer, deliveryId: string): Promise<LeaseOutcome | 'unshared'> {
    if (!this.leases) return 'unshared';
    try {
      return await this.leases.acquire(destinationKey(consumer), deliveryId, consumer.slots.maxInFlight);
    } catch (error) {
      this.logger.warn('shared destination slots unavailable; capping per instance', { consumerId: consumer.id, error: messageOf(error) });
      return 'unshared';
    }
  }

  /**
   * At publish, for deliveries to one destination: those that get a slot now (reserved for them); the
   * others are to be held back in Redis and queued with {@link holdBack}. Throws when the slots' store fails.
   */
  async admitAtPublish(destination: string, deliveryIds: string[], cap: number): Promise<string[]> {
    return this.leases ? this.leases.admit(destination, deliveryIds, cap) : deliveryIds;
  }

  /** Queues held-back deliveries (their jobs wait, delayed); returns those that found a slot after all. */
  async holdBack(destination: string, deliveryIds: string[], cap: number): Promise<string[]> {
    return this.leases ? this.leases.hold(destination, deliveryIds, cap) : deliveryIds;
  }

  /** Gives a delivery's shared slot back (or its place in the queue): the next in line gets it. */
  async release(destination: string, deliveryId: string): Promise<void> {
    try {
      await this.leases?.release(destination, deliveryId);
    } catch (error) {
      // The slot expires by itself and goes to the next in line then.
      this.logger.warn('shared destination slot not released; it expires', { destination, error: messageOf(error) });
    }
  }

  close(): void {
    this.leases?.close();
  }

  /** At once with in-memory circuits (inline), a promise with Redis's: see MaybePromise. */
  admit(consumer: Consumer): MaybePromise<Admission> {
    let admitted: MaybePromise<Admission>;
    try {
      admitted = this.store.admit(destinationKey(consumer), consumer.circuit, Date.now(), consumer.timeoutMs + PROBE_GRACE_MS);
    } catch (error) {
      return this.admitWithout(consumer, error);
    }
    return isPromiseLike(admitted) ? Promise.resolve(admitted).catch((error: unknown) => this.admitWithout(consumer, error)) : admitted;
  }

  /** The store is down (Redis): deliver rather than stall; the transport has its own outage handling. */
  private admitWithout(consumer: Consumer, error: unknown): Admission {
    this.logger.warn('circuit state unavailable; delivering without it', { consumerId: consumer.id, error: messageOf(error) });
    return { kind: 'go' };
  }

  /** Records one request's verdict (a batch is one request) and emits the change this write made. At once with in-memory circuits. */
  record(consumer: Consumer, job: DeliveryJob, verdict: RequestVerdict, probe: boolean, lastError?: string): MaybePromise<void> {
    const key = destinationKey(consumer);
    let change: MaybePromise<CircuitChange>;
    try {
      change = this.store.record(key, verdict, consumer.circuit, Date.now(), probe);
    } catch (error) {
      return this.notRecorded(consumer, error);
    }
    if (!isPromiseLike(change)) return this.changed(consumer, job, key, change, probe, lastError);
    return Promise.resolve(change).then(
      (made) => this.changed(consumer, job, key, made, probe, lastError),
      (error: unknown) => this.notRecorded(consumer, error),
    );
  }

  private notRecorded(consumer: Consumer, error: unknown): void {
    this.logger.warn('circuit state not stored', { consumerId: consumer.id, error: messageOf(error) });
  }

  /** Emits the change a verdict's write made, if any. */
  private changed(consumer: Consumer, job: DeliveryJob, key: string, change: CircuitChange, probe: boolean, lastError: string | undefined): void {
    if (change === null) return;
    const payload = { tenant: consumer.tenant, consumerId: consumer.id, destination: consumer.destination, deliveryId: job.deliveryId, eventId: job.event.id };
    if (change === 'opened') {
      const reason = `${consumer.circuit.failureThreshold} consecutive failures; last: ${lastError ?? 'unknown'}`;
      this.logger.error('destination circuit opened: its deliveries wait, one probe after the cool-down', { ...fieldsOf(consumer), reason });
      emitOperatorEvent(this.events, OPERATOR_EVENTS.circuitOpened, { ...payload, reason });
    } else if (change === 'closed') {
      this.logger.info('destination circuit closed: waiting deliveries resume', fieldsOf(consumer));
      emitOperatorEvent(this.events, OPERATOR_EVENTS.circuitClosed, { ...payload, reason: probe ? 'a probe succeeded' : 'a request succeeded' });
      this.wake(key, 'circuit');
    }
  }

  /** Emits `hookline.delivery.dead`. */
  dead(consumer: Pick<Consumer, 'tenant' | 'id' | 'destination'> | undefined, job: DeliveryJob, reason: string): void {
    emitOperatorEvent(this.events, OPERATOR_EVENTS.deliveryDead, {
      tenant: job.event.tenant,
      consumerId: job.consumerId,
      destination: consumer?.destination ?? 'unknown',
      deliveryId: job.deliveryId,
      eventId: job.event.id,
      reason,
    });
  }

  park(consumer: Consumer, deliveryId: string, reason: ParkReason): void {
    const key = destinationKey(consumer);
    let parked = this.parked.get(key);
    if (!parked) this.parked.set(key, (parked = new Map()));
    parked.set(deliveryId, reason);
    // Shared across instances, a parked delivery may be run by another instance and never come back
    // here: the list is then only who to wake early, and forgets its oldest past a bound.
    if (this.leases && parked.size > MAX_REMEMBERED_PARKED) parked.delete(parked.keys().next().value!);
  }

  /** The delivery is back (its timer fired or it was woken): no longer parked. */
  unpark(consumer: Consumer, deliveryId: string): void {
    const key = destinationKey(consumer);
    const parked = this.parked.get(key);
    if (!parked?.delete(deliveryId)) return;
    if (parked.size === 0) this.parked.delete(key);
  }

  /** Deliveries parked in this process for the destination (0 when shared: they wait in Redis, see `view`). */
  parkedAt(consumer: Consumer): number {
    if (this.leases) return 0;
    return this.parked.get(destinationKey(consumer))?.size ?? 0;
  }

  /** Wakes parked deliveries of a destination: all of them for `circuit`, the first one for `capacity`. */
  wake(key: string, reason: ParkReason): void {
    const parked = this.parked.get(key);
    if (!parked || !this.waker) return;
    const ids: string[] = [];
    for (const [id, why] of parked) {
      if (reason === 'capacity' && why !== 'capacity') continue;
      ids.push(id);
      if (reason === 'capacity') break;
    }
    if (ids.length > 0) this.waker(key, ids);
  }

  /**
   * Destinations of these consumers whose circuit is not closed (open, or half open while a probe is out),
   * each destination once, as the tenant it belongs to. Rejects when the circuits cannot be read (their
   * Redis is down).
   */
  async openCircuits(consumers: Iterable<Pick<Consumer, 'tenant' | 'destination'>>): Promise<string[]> {
    const tenants = new Map<string, string>();
    for (const consumer of consumers) tenants.set(destinationKey(consumer), consumer.tenant);
    const states = await Promise.all([...tenants].map(async ([key, tenant]) => ({ tenant, record: await this.store.read(key) })));
    return states.filter((s) => s.record !== null && s.record.state !== 'closed').map((s) => s.tenant);
  }

  async view(consumer: Consumer, waitingElsewhere: number): Promise<CircuitView> {
    const record = await this.store.read(destinationKey(consumer));
    const queued = this.leases ? await this.leases.waiting(destinationKey(consumer)).catch(() => 0) : 0;
    return {
      state: record?.state ?? 'closed',
      consecutiveFailures: record?.failures ?? 0,
      nextProbeAt: record?.state === 'open' && record.nextProbeAt !== null ? new Date(record.nextProbeAt).toISOString() : null,
      waiting: this.parkedAt(consumer) + waitingElsewhere + queued,
    };
  }
}

/**
 * Whether a failed request counts towards opening the circuit: timeouts, connection errors, 5xx, and a
 * 429 without a usable window. A 429 with one pauses the rate-limit key instead; a permanent rejection
 * (a 400 for one record) proves the destination answers.
 */
export function countsAsFailure(error: DeliveryError): boolean {
  if (!error.retryable) return false;
  const rateLimited = error instanceof RateLimitedError || (error instanceof ConnectorRequestError && error.status === 429);
  return !(rateLimited && error.retryAfterMs !== undefined);
}

/** A request's verdict from its items' errors (undefined: succeeded): a failure only when every item failed countably. */
export function verdictOf(errors: Array<DeliveryError | undefined>): RequestVerdict {
  return errors.length > 0 && errors.every((e) => e !== undefined && countsAsFailure(e)) ? 'failure' : 'success';
}

function fieldsOf(consumer: Consumer) {
  return { tenant: consumer.tenant, consumerId: consumer.id, destination: consumer.destination };
}
