import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ModuleRef } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ADMIN_ACTION_EVENT, type AdminActionEvent } from './core/events/operator.events';
import { ConfigRegistry } from './config/config.registry';
import { deliveryIdFor, type DeliveryRecord } from './delivery/records/delivery';
import type { DeliveryLog, DeliveryPage, DeliveryQuery } from './delivery/records/delivery-log';
import { DeliveryExecutor } from './delivery/executor/delivery.executor';
import { Dispatcher, type DispatchResult } from './delivery/dispatcher';
import { messageOf } from './delivery/executor/error-classifier';
import type { Transport } from './delivery/transports/transport';
import { RetryableError } from './core/errors/delivery.errors';
import { EventEmitterMissingError } from './core/errors/event-emitter-missing.error';
import { createUserRegisteredEvent, USER_REGISTERED, type UserRegisteredEvent } from './core/events/user-registered.event';
import type { Consumer } from './config/config.model';
import { HOOKLINE_OPTIONS } from './hookline.module-definition';
import { DEFAULTS, type HooklineModuleOptions } from './hookline.options';
import { HOOKLINE_DELIVERY_LOG, HOOKLINE_LOGGER, HOOKLINE_SHUTDOWN, HOOKLINE_TRANSPORT } from './hookline.tokens';
import type { HooklineLogger } from './core/logging/hookline.logger';
import type { AdminBackend, AdminConsumerSummary as ConsumerSummary, AdminReplayResult as ReplayResult, AdminTestResult as TestSendResult } from './admin/admin-backend';
import type { CircuitView } from './delivery/executor/destination-guard';

/** What `replay` did (only a dead delivery still held by the transport is replayed), and a consumer as listed: the admin port's types. */
export type { AdminReplayResult as ReplayResult, AdminConsumerSummary as ConsumerSummary, AdminTestResult as TestSendResult } from './admin/admin-backend';

/** Hookline's public service: publish with a guarantee, read deliveries. Also owns the lifecycle. */
@Injectable()
export class HooklineService implements AdminBackend, OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  private closed = false;

  constructor(
    @Inject(HOOKLINE_OPTIONS) private readonly options: HooklineModuleOptions,
    @Inject(HOOKLINE_TRANSPORT) private readonly transport: Transport,
    @Inject(HOOKLINE_DELIVERY_LOG) private readonly deliveries: DeliveryLog,
    @Inject(HOOKLINE_LOGGER) private readonly logger: HooklineLogger,
    @Inject(HOOKLINE_SHUTDOWN) private readonly shutdown: AbortController,
    private readonly dispatcher: Dispatcher,
    private readonly executor: DeliveryExecutor,
    private readonly config: ConfigRegistry,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Enqueues the deliveries of an event and resolves once the transport holds them
   * (in memory for `inline`, in Redis for a durable transport). Rejects on an invalid event.
   * Emitting `user.registered` does the same, fire-and-forget.
   */
  publish(event: UserRegisteredEvent): Promise<DispatchResult> {
    return this.dispatcher.dispatch(USER_REGISTERED, event);
  }

  /** Fire-and-forget dispatch: failures are logged with the event id, never thrown. */
  dispatchInBackground(eventName: string, event: UserRegisteredEvent): void {
    this.dispatcher.dispatch(eventName, event).catch((error) => {
      this.logger.error('event not dispatched', { event: eventName, eventId: event?.id, error: messageOf(error) });
    });
  }

  listDeliveries(query: DeliveryQuery): Promise<DeliveryPage> {
    return Promise.resolve(this.deliveries.list(query));
  }

  /**
   * The enabled consumers, as the admin API shows them: ids and each connector's safe summary
   * (`describe`: a host, a fingerprint), never its config or a secret.
   */
  listConsumers(): ConsumerSummary[] {
    return [...this.config.config.consumers.values()].map((c) => ({
      id: c.id,
      tenant: c.tenant,
      kind: c.kind,
      type: c.type,
      name: c.name,
      // Redacted as well: a plugin's describe() is trusted to be safe, and checked all the same.
      summary: JSON.parse(this.logger.redactor.redact(JSON.stringify(c.plugin.describe?.(c.config) ?? {}))),
    }));
  }

  /**
   * Sends a test `user.registered` event to one enabled consumer, once, now: no delivery record, no retry.
   * The event is marked `test: true`, its id and its user's id start with `test_` (email test@example.com).
   * A connector with its own `test` (HubSpot: an authenticated read) runs that instead of delivering.
   * Undefined for an unknown or disabled consumer.
   */
  async sendTestEvent(consumerId: string): Promise<TestSendResult | undefined> {
    const consumer = this.config.config.consumers.get(consumerId);
    if (!consumer) return undefined;
    const event: UserRegisteredEvent = {
      ...createUserRegisteredEvent({
        id: `test_${randomUUID()}`,
        tenant: consumer.tenant,
        user: { id: `test_${Date.now().toString(36)}`, email: 'test@example.com', username: 'hookline-test' },
      }),
      test: true,
    };
    const job = { deliveryId: `test_${deliveryIdFor(event.id, consumerId).slice('dlv_'.length)}`, consumerId, kind: consumer.kind, event, attempts: 0 };
    const started = Date.now();
    const result = consumer.plugin.test ? await this.executor.test(consumer, job) : await this.executor.attempt(job);
    const durationMs = Date.now() - started;
    if (result.status === 'succeeded') return { status: 'succeeded', error: null, durationMs, eventId: event.id, ...(result.detail ? { detail: result.detail } : {}) };
    return { status: 'failed', error: 'error' in result ? result.error : null, durationMs, eventId: event.id };
  }

  /**
   * The circuit breaker of a consumer's destination: state, consecutive failures, next probe and the
   * deliveries waiting for it. Null when the tenant has no such consumer.
   */
  async circuitOf(tenant: string, consumerId: string): Promise<CircuitView | null> {
    const consumer = await this.config.consumer(consumerId);
    if (!consumer || consumer.tenant !== tenant) return null;
    return this.executor.circuitOf(consumerId);
  }

  /** Configured tenant ids, including those whose consumers are all disabled. */
  tenantIds(): readonly string[] {
    return this.config.config.tenantIds;
  }

  /** An enabled consumer as configured (for the Runner: a hook's script, secrets and limits), by id. */
  consumer(id: string): Consumer | undefined {
    return this.config.config.consumers.get(id);
  }

  /**
   * The audit trail of the admin API: one structured log line and a `hookline.admin.action` event per
   * write, naming who did it (a token's fingerprint). A listener's failure never fails the action.
   */
  auditAdminAction(principal: string, action: string, details: { tenant?: string; target?: string; [field: string]: unknown } = {}): void {
    const { tenant, target, ...rest } = details;
    const event: AdminActionEvent = {
      action,
      principal,
      ...(tenant !== undefined ? { tenant } : {}),
      ...(target !== undefined ? { target } : {}),
      at: new Date().toISOString(),
    };
    this.logger.info('admin action', { audit: true, ...event, ...rest });
    try {
      this.moduleRef.get(EventEmitter2, { strict: false }).emit(ADMIN_ACTION_EVENT, event);
    } catch {
      // An app's listener must never turn a done action into an error answer.
    }
  }

  /**
   * Erases a user's data (a GDPR request): every delivery of an event about `userId` (within `tenants` when
   * given), waiting or recorded. A waiting delivery is cancelled (nothing is sent; a request already in
   * flight completes), and its record and payload are removed, as are finished ones' and those kept for
   * replay; on `bullmq`, from Redis. Answers how many deliveries were erased. A delivery log of the host's
   * own without `eraseUser` keeps its records.
   */
  async eraseUserData(userId: string, tenants?: readonly string[]): Promise<{ erased: number }> {
    const cancelled = (await this.transport.eraseUser?.(userId, tenants)) ?? [];
    const forgotten = (await this.deliveries.eraseUser?.(userId, tenants)) ?? [];
    const erased = [...new Set([...cancelled, ...forgotten])];
    // Those this instance is running (waiting for a batch or a turn) are not sent either.
    this.executor.eraseDeliveries(erased);
    return { erased: erased.length };
  }

  getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return Promise.resolve(this.deliveries.get(id));
  }

  /** Runs a dead delivery again with fresh attempts (once its endpoint is fixed, say). */
  async replay(id: string): Promise<ReplayResult> {
    const record = await this.deliveries.get(id);
    if (!record) return { status: 'not-found' };
    if (record.status !== 'dead') return { status: 'not-dead', delivery: record };
    if (!(await this.transport.replay(id))) return { status: 'gone', delivery: record };
    this.logger.info('delivery replayed', {
      tenant: record.tenant,
      consumerId: record.consumer,
      eventId: record.eventId,
      deliveryId: id,
    });
    return { status: 'replayed', delivery: (await this.deliveries.get(id)) ?? record };
  }

  onModuleInit(): void {
    try {
      this.moduleRef.get(EventEmitter2, { strict: false });
    } catch {
      throw new EventEmitterMissingError();
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.start();
    if (this.options.watchConfig ?? DEFAULTS.watchConfig) await this.config.watch();
    const { tenantIds, consumers } = this.config.config;
    this.logger.info('Hookline ready', {
      transport: this.transport.name,
      tenants: tenantIds.length,
      consumers: consumers.size,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transport.close(this.options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs);
    this.shutdown.abort(new RetryableError('the app shut down'));
    this.executor.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.beforeApplicationShutdown();
    await this.config.close();
  }
}
