import type { ConfigRegistry } from '../config/config.registry';
import { assertUserRegisteredEvent, TRIGGER_BY_EVENT, type TriggerId, type UserRegisteredEvent } from '../core/events/user-registered.event';
import type { HooklineLogger } from '../core/logging/hookline.logger';
import { deliveryIdFor, type DeliveryJob } from './records/delivery';
import type { DeliveryRecords } from './records/delivery-records';
import type { Transport } from './transports/transport';
import { HooklineTelemetry, type TraceCarrier } from '../core/telemetry/hookline-telemetry';
import { isPromiseLike } from '../core/util/maybe-promise';

export interface DispatchResult {
  /** Ids of the deliveries enqueued (an event emitted again maps to the same ids, and enqueues nothing new). */
  deliveryIds: string[];
}

/** Turns an event into one delivery per enabled consumer of its tenant and hands them to the transport. */
export class Dispatcher {
  private readonly unknownTenants = new Set<string>();

  constructor(
    private readonly config: ConfigRegistry,
    private readonly records: DeliveryRecords,
    private readonly transport: Transport,
    private readonly logger: HooklineLogger,
    private readonly telemetry = new HooklineTelemetry(),
  ) {}

  /** Inside a `hookline.dispatch` span; its deliveries carry its trace context. */
  dispatch(eventName: string, event: UserRegisteredEvent): Promise<DispatchResult> {
    return this.telemetry.dispatch(eventName, event, (trace) => this.enqueue(eventName, event, trace));
  }

  private async enqueue(eventName: string, event: UserRegisteredEvent, trace: TraceCarrier | undefined): Promise<DispatchResult> {
    assertUserRegisteredEvent(event);
    const trigger: TriggerId | undefined = TRIGGER_BY_EVENT[eventName];
    if (!trigger) throw new TypeError(`Hookline has no trigger for the event "${eventName}"`);
    // A tenant of the static config and the in-memory log answer at once: no await, no suspension (MaybePromise).
    const known = this.config.hasTenant(event.tenant);
    if (!(isPromiseLike(known) ? await known : known)) {
      // Logged once per tenant: a busy unconfigured tenant must not flood the log.
      if (!this.unknownTenants.has(event.tenant)) {
        // Bounded: tenant ids can come from request paths.
        if (this.unknownTenants.size >= MAX_REMEMBERED_TENANTS) this.unknownTenants.clear();
        this.unknownTenants.add(event.tenant);
        this.logger.debug('no Hookline config for tenant; its events are dropped', { tenant: event.tenant });
      }
      return { deliveryIds: [] };
    }
    const jobs: DeliveryJob[] = [];
    const now = new Date();
    const found = this.config.consumersFor(event.tenant, trigger);
    for (const consumer of isPromiseLike(found) ? await found : found) {
      const job: DeliveryJob = {
        deliveryId: deliveryIdFor(event.id, consumer.id),
        consumerId: consumer.id,
        kind: consumer.kind,
        event,
        attempts: 0,
        ...(trace ? { trace } : {}),
      };
      const added = this.records.pending(job, now);
      if (isPromiseLike(added) ? await added : added) jobs.push(job);
    }
    if (jobs.length > 0) {
      try {
        await this.transport.enqueue(jobs);
      } catch (error) {
        // Not enqueued: forget the pending records, so that publishing the event again enqueues them.
        for (const job of jobs) await this.records.enqueueFailed(job.deliveryId, error);
        throw error;
      }
    }
    return { deliveryIds: jobs.map((j) => j.deliveryId) };
  }
}

const MAX_REMEMBERED_TENANTS = 1_000;
