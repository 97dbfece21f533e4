import { setMaxListeners } from 'node:events';
import type { ConfigRegistry } from '../../config/config.registry';
import type { Consumer } from '../../config/config.model';
import { createHttpClient } from '../../connectors/http-client';
import type { BatchContext, BatchItemResult, ConnectorContext, ConnectorLogger, RateLimitSpec, SharedValues } from '../../connectors/sdk';
import {
  ConnectorRequestError,
  DeliveryError,
  DeliveryTimeoutError,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from '../../core/errors/delivery.errors';
import type { HooklineLogger, LogFields } from '../../core/logging/hookline.logger';
import type { DeliveryJob } from '../records/delivery';
import type { UserRegisteredEvent } from '../../core/events/user-registered.event';
import type { DeliveryRecords } from '../records/delivery-records';
import { DeliveryLanes, type LaneEntry, type LaneSettings } from '../scheduler/delivery-lanes';
import { classifyError, messageOf } from './error-classifier';
import { createRateLimiter, type RateLimiter } from '../scheduler/rate-limiter';
import { FairSlots, type SlotRequest } from '../scheduler/fair-slots';
import { nextRetryDelayMs } from '../../core/retry/retry.policy';
import { DestinationGuard, destinationKey, verdictOf, type CircuitView } from './destination-guard';
import type { Admission } from './circuit-breaker';
import { MemorySharedValues } from './shared-values';
import { evictOldest } from '../../core/util/bounded-map';
import { isPromiseLike, type MaybePromise } from '../../core/util/maybe-promise';
import { context } from '@opentelemetry/api';
import { HooklineTelemetry } from '../../core/telemetry/hookline-telemetry';
import type { AttemptTrace, RequestTrace } from '../../core/telemetry/attempt-trace';

/**
 * What the transport learns from one attempt. `error` is the redacted `CODE: message` also recorded as
 * `lastError`: a durable transport may store it and must never see a secret.
 */
export type AttemptResult =
  | { status: 'succeeded'; detail?: Record<string, unknown> }
  | { status: 'failed'; retryInMs: number; error: string }
  | { status: 'dead'; error: string }
  /**
   * Not attempted: its rate-limit key is paused (a 429's window) for longer than it may wait in memory,
   * its destination's circuit is open, or (durable transports) its destination is at its cap.
   * Run it again in `retryInMs` with the same `attempts` (a durable transport: move the job to delayed).
   * `destination` is set when the delivery is parked for its destination: the executor may wake it early
   * (see {@link DestinationGuard.setWaker}).
   */
  | { status: 'deferred'; retryInMs: number; error: string; destination?: string };

export interface DeliveryExecutorOptions {
  /**
   * Requests in flight at once (a batch request counts once; deliveries waiting for a batch or a
   * rate-limit slot count not at all).
   * @default 16
   */
  concurrency?: number;
  /** @default createRateLimiter() (in memory) */
  rateLimiter?: RateLimiter;
  /** What connectors share across deliveries and instances (`ctx.shared`). @default new MemorySharedValues() */
  shared?: SharedValues;
  /**
   * A delivery whose rate-limit key is paused for longer than this is deferred (no attempt used) instead of
   * waiting in memory.
   * @default 30000
   */
  maxPacingWaitMs?: number;
  /**
   * Whether deliveries may wait in this process for a busy destination or a long pacing turn. True for
   * `inline` (waiting costs only memory, bounded by `maxWaitingPerDestination`); false for a durable
   * transport, whose deliveries wait in Redis instead, so that they hold no worker slot.
   * @default true
   */
  holdInMemory?: boolean;
  /**
   * Deliveries the batch and rate-limit lanes hold in this process at most, all together (a durable
   * transport: they are active jobs, and the other deliveries need worker slots too).
   * @default unbounded
   */
  maxHeldInLanes?: number;
  /** The destinations' circuits, caps' parking and operator events. @default a guard with in-memory circuits */
  guard?: DestinationGuard;
  /** Spans and metrics of attempts. @default new HooklineTelemetry() (the global OpenTelemetry providers) */
  telemetry?: HooklineTelemetry;
}

type Outcome =
  | { kind: 'ok'; detail?: Record<string, unknown> }
  | { kind: 'error'; error: DeliveryError }
  | { kind: 'deferred'; retryInMs: number; reason: string }
  /** The circuit opened while it waited for its slot: not attempted. */
  | { kind: 'held'; admission: Extract<Admission, { kind: 'wait' | 'dead' }> };

/**
 * One attempt of one delivery on its way: through a lane (batch, pacing) or straight to a request. While it
 * waits, this object is all it holds (no suspended call): a paced destination may hold thousands, and what
 * each holds is copied by every young-generation collection it lives through.
 */
class Pending implements LaneEntry {
  readonly enqueuedAt = Date.now();
  startedAt?: number;
  /** Settles once the outcome is recorded: the attempt's result for the transport. */
  readonly result: Promise<AttemptResult>;
  private resolve!: (result: AttemptResult) => void;
  private reject!: (error: unknown) => void;
  private settled = false;

  constructor(
    private readonly finish: (pending: Pending, outcome: Outcome) => Promise<AttemptResult>,
    readonly job: DeliveryJob,
    readonly consumer: Consumer,
    readonly attempt: number,
    /** This request tests an open circuit. */
    public probe: boolean,
    readonly trace: AttemptTrace,
    /** It holds its destination's shared slot (durable transports), released when it settles. */
    readonly leased: boolean,
  ) {
    this.result = new Promise<AttemptResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The first outcome wins; later ones are ignored. */
  settle(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.finish(this, outcome).then(this.resolve, this.reject);
  }

  defer(retryInMs: number, reason: string): void {
    this.settle({ kind: 'deferred', retryInMs, reason });
  }

  fail(error: unknown): void {
    this.settle({ kind: 'error', error: classifyError(error) });
  }
}

/**
 * Runs one attempt of one delivery: looks the consumer up in the current config, groups and paces it when
 * its connector declares `batch` or `rateLimit`, runs the request under a timeout (an AbortSignal), records
 * the outcome on this delivery's record and logs one line. Never throws: a consumer's failure is data, and
 * the transport only learns whether and when to try again. Every transport gets batching and rate limiting,
 * since both live here.
 */
export class DeliveryExecutor {
  private readonly slots: FairSlots;
  private readonly limiter: RateLimiter;
  private readonly shared: SharedValues;
  private readonly lanes: DeliveryLanes<Pending>;
  private readonly holdInMemory: boolean;
  private readonly telemetry: HooklineTelemetry;
  readonly guard: DestinationGuard;
  /** Events whose user's data was erased while their deliveries waited in this process. */
  private readonly erased = new WeakSet<UserRegisteredEvent>();
  private readonly erasedIds = new Map<string, true>();
  /** Aborts each attempt in flight (its timeout's or the shutdown's reason): see {@link underTimeout}. */
  private readonly abortAttempts = new Set<(reason: unknown) => void>();

  constructor(
    private readonly config: ConfigRegistry,
    private readonly records: DeliveryRecords,
    private readonly logger: HooklineLogger,
    /** Aborted at shutdown, once the drain time is over: in-flight attempts are told to stop. */
    private readonly shutdown: AbortSignal,
    options: DeliveryExecutorOptions = {},
  ) {
    // Every delivery waiting in a lane listens to the shutdown signal: far more than 10.
    setMaxListeners(0, shutdown);
    this.slots = new FairSlots(options.concurrency ?? 16);
    this.limiter = options.rateLimiter ?? createRateLimiter();
    this.shared = options.shared ?? new MemorySharedValues();
    this.holdInMemory = options.holdInMemory ?? true;
    this.guard = options.guard ?? new DestinationGuard(logger);
    this.telemetry = options.telemetry ?? new HooklineTelemetry();
    this.lanes = new DeliveryLanes<Pending>(
      this.limiter,
      (entries, settings) => void this.send(entries, settings.rate),
      shutdown,
      options.maxPacingWaitMs ?? 30_000,
      options.maxHeldInLanes,
    );
    shutdown.addEventListener(
      'abort',
      () => {
        this.slots.close(new RetryableError('the app shut down before the request was sent'));
        for (const abort of [...this.abortAttempts]) abort(new RetryableError('the app shut down during the attempt'));
      },
      { once: true },
    );
  }

  /** The circuit of a consumer's destination, or null for a consumer not in the config. */
  async circuitOf(consumerId: string): Promise<CircuitView | null> {
    const consumer = await this.config.consumer(consumerId);
    if (!consumer) return null;
    return this.guard.view(consumer, this.slots.waitingFor(destinationKey(consumer), consumer.tenant));
  }

  /**
   * The shared destination slot a consumer's deliveries take (a durable transport routes them at publish
   * by it), or null: not shared, a lane (batch, pace), or a consumer not in the config.
   */
  async sharedSlotOf(consumerId: string): Promise<{ destination: string; cap: number } | null> {
    if (this.holdInMemory || !this.guard.sharesSlots) return null;
    let consumer: Consumer | undefined;
    try {
      consumer = await this.config.consumer(consumerId);
    } catch {
      return null;
    }
    if (!consumer || laned(consumer)) return null;
    return { destination: destinationKey(consumer), cap: consumer.slots.maxInFlight };
  }

  /** One attempt, inside its `hookline.deliver` span; its outcome is counted (docs/observability.md). */
  async attempt(job: DeliveryJob): Promise<AttemptResult> {
    const trace = this.telemetry.startAttempt(job);
    let next: AttemptResult | Pending;
    try {
      next = await this.prepare(job, trace);
    } catch (error) {
      trace.end(undefined, error);
      throw error;
    }
    if (!(next instanceof Pending)) {
      trace.end(next.status);
      return next;
    }
    try {
      this.route(next);
    } catch (error) {
      next.fail(error); // Settles it: its slot released, its span ended, its outcome recorded.
    }
    // Not awaited here: this call's frame ends, and what waits for a batch or a turn is the Pending alone.
    return next.result;
  }

  /** Looks the consumer up and admits the attempt: an early result (not attempted, dead), or the attempt to route. */
  private async prepare(job: DeliveryJob, trace: AttemptTrace): Promise<AttemptResult | Pending> {
    const attempt = job.attempts + 1;
    // The log fields are built on the paths that end here only; a routed attempt's, when it settles (conclude).
    let consumer: Consumer | undefined;
    try {
      // In memory (the static config), each of these answers at once: no await, no suspension (MaybePromise).
      const found = this.config.consumer(job.consumerId);
      consumer = isPromiseLike(found) ? await found : found;
    } catch (error) {
      // The tenant store cannot be read: not the consumer's failure, so no attempt is used.
      const reason = this.logger.redactor.redact(`STORE_UNAVAILABLE: ${messageOf(error)}`);
      this.logger.warn('consumer lookup failed', { ...logFields(job, attempt), outcome: 'deferred', error: reason });
      return { status: 'deferred', retryInMs: STORE_RETRY_MS, error: reason };
    }
    if (!consumer) {
      const error = new PermanentError('the consumer is no longer enabled in the config', { code: 'CONSUMER_GONE' });
      return this.fail(job, attempt, logFields(job, attempt), error, Date.now(), undefined, trace);
    }
    this.guard.unpark(consumer, job.deliveryId);
    const admitted = this.guard.admit(consumer);
    const admission = isPromiseLike(admitted) ? await admitted : admitted;
    if (admission.kind === 'wait' || admission.kind === 'dead') return this.hold(job, logFields(job, attempt), consumer, admission);
    const probe = admission.kind === 'probe';
    if (!probe && this.waitingFull(consumer)) return this.overflow(job, logFields(job, attempt), consumer);
    const leased = !probe && !this.holdInMemory && this.guard.sharesSlots && !laned(consumer) ? await this.guard.lease(consumer, job.deliveryId) : 'unshared';
    if (leased === 'queued') {
      // In the destination's waiting list, shared by every instance: woken when a slot is handed to it.
      // The timer is only the fallback for a wake-up that never comes.
      const reason = `DESTINATION_BUSY: ${consumer.destination} has ${consumer.slots.maxInFlight} requests in flight; waits for a free slot`;
      return this.defer(job, logFields(job, attempt), QUEUED_FALLBACK_MS + jitter(QUEUED_FALLBACK_MS / 10), reason, destinationKey(consumer));
    }
    if (leased === 'unshared' && !probe && !this.holdInMemory && this.slots.destinationBusy(destinationKey(consumer), consumer.tenant, consumer.slots.maxInFlight)) {
      this.guard.park(consumer, job.deliveryId, 'capacity');
      const reason = `DESTINATION_BUSY: ${consumer.destination} has ${consumer.slots.maxInFlight} requests in flight; not attempted yet`;
      // Woken when a slot of the destination frees; the timer is the fallback.
      return this.defer(job, logFields(job, attempt), consumer.timeoutMs + jitter(1_000), reason, destinationKey(consumer));
    }
    return new Pending(this.finishPending, job, consumer, attempt, probe, trace, leased === 'acquired');
  }

  /** A routed attempt settled: its outcome recorded and logged, its span ended. */
  private readonly finishPending = (pending: Pending, outcome: Outcome): Promise<AttemptResult> =>
    this.conclude(pending, outcome).then(
      (result) => {
        pending.trace.end(result.status);
        return result;
      },
      (error: unknown) => {
        pending.trace.end(undefined, error);
        throw error;
      },
    );

  private async conclude(pending: Pending, outcome: Outcome): Promise<AttemptResult> {
    const { job, consumer, attempt, trace } = pending;
    if (pending.leased) void this.guard.release(destinationKey(consumer), job.deliveryId);
    // Durations measure the request, not the time spent waiting for a batch or a rate-limit slot.
    const startedAt = pending.startedAt ?? Date.now();
    if (outcome.kind !== 'ok') {
      const fields = logFields(job, attempt);
      if (outcome.kind === 'deferred') return this.defer(job, fields, outcome.retryInMs, outcome.reason);
      if (outcome.kind === 'held') return this.hold(job, fields, consumer, outcome.admission);
      if (outcome.error.retryable && this.shutdown.aborted) return this.interrupted(job, fields);
      return this.fail(job, attempt, fields, outcome.error, startedAt, consumer, trace);
    }
    const durationMs = Date.now() - startedAt;
    trace.succeeded(durationMs);
    const stored = this.records.succeeded(job.deliveryId, attempt, durationMs, outcome.detail);
    if (stored) await stored;
    // Once per delivery: its fields are not built when debug lines are dropped (the default).
    if (this.logger.isEnabled('debug')) this.logger.debug('delivery succeeded', { ...logFields(job, attempt), outcome: 'succeeded', durationMs });
    return outcome.detail ? { status: 'succeeded', detail: outcome.detail } : { status: 'succeeded' };
  }

  /**
   * A connector's own connection test (`plugin.test`), for the admin API's test send: under the consumer's
   * timeout, with a delivery's context; no record, no retry, no lane and no effect on its circuit.
   */
  async test(consumer: Consumer, job: DeliveryJob): Promise<{ status: 'succeeded'; detail?: Record<string, unknown> } | { status: 'failed'; error: string }> {
    const check = consumer.plugin.test;
    if (!check) throw new TypeError(`${consumer.type} has no test`);
    const delivery = { id: job.deliveryId, eventId: job.event.id, tenant: job.event.tenant, consumerId: consumer.id, attempt: 1 };
    try {
      const outcome = await this.underTimeout(consumer.timeoutMs, (signal) =>
        check(consumer.config, { signal, timeoutMs: consumer.timeoutMs, log: this.consumerLogger(consumer, job), http: createHttpClient(signal), delivery, shared: this.shared }),
      );
      return outcome?.detail ? { status: 'succeeded', detail: outcome.detail } : { status: 'succeeded' };
    } catch (thrown) {
      const error = classifyError(thrown);
      return { status: 'failed', error: this.logger.redactor.redact(`${error.code}: ${messageOf(error)}`) };
    }
  }

  /**
   * The user's data was erased: deliveries of this event still waiting here (for a batch, a rate-limit turn
   * or a request slot) end without a request. One whose request is in flight completes.
   */
  erase(event: UserRegisteredEvent): void {
    this.erased.add(event);
  }

  isErased(event: UserRegisteredEvent): boolean {
    return this.erased.has(event);
  }

  /**
   * The same, by delivery id: for a durable transport, whose running jobs hold their own copy of the event
   * (this instance's only; another instance's may still be sent once). Bounded: the last 10,000 are kept.
   */
  eraseDeliveries(ids: readonly string[]): void {
    for (const id of ids) this.erasedIds.set(id, true);
    evictOldest(this.erasedIds, MAX_ERASED_IDS);
  }

  /** Settles the entries whose event was erased (as dead, without a request), and answers the others. */
  private withoutErased(entries: Pending[]): Pending[] {
    const erased = (e: Pending) => this.erased.has(e.job.event) || this.erasedIds.has(e.job.deliveryId);
    const live = entries.filter((e) => !erased(e));
    if (live.length === entries.length) return entries;
    const error = new PermanentError("the user's data was erased; not sent", { code: 'ERASED' });
    for (const entry of entries) if (erased(entry)) entry.settle({ kind: 'error', error });
    return live;
  }

  /** Stops pacing timers. The transport calls it after its drain (the module does, at shutdown). */
  close(): void {
    this.limiter.close();
    this.guard.close();
  }

  /** A lane when the connector batches or paces this config; straight to a request otherwise. */
  private route(pending: Pending): void {
    const { plugin, config } = pending.consumer;
    let rate: RateLimitSpec | undefined;
    let batchKey: string | undefined;
    try {
      rate = plugin.rateLimit?.(config);
      batchKey = plugin.batch?.key(config);
    } catch (error) {
      return pending.fail(error);
    }
    if (batchKey !== undefined && plugin.batch) {
      const settings: LaneSettings = {
        maxItems: Math.max(1, plugin.batch.maxItems(config)),
        maxWaitMs: Math.max(0, plugin.batch.maxWaitMs(config)),
        rate,
      };
      return this.lanes.submit(`${destinationKey(pending.consumer)}|${plugin.type}:batch:${batchKey}`, this.bounded(settings), pending);
    }
    if (rate) {
      return this.lanes.submit(`${destinationKey(pending.consumer)}|${plugin.type}:rate:${rate.key}`, this.bounded({ maxItems: 1, maxWaitMs: 0, rate }), pending);
    }
    void this.send([pending], undefined);
  }

  /**
   * A durable transport keeps a lane's backlog in Redis: past one request's worth, a delivery is deferred
   * to about when its turn comes (see DeliveryLanes), so a paced lane holds only what its next request takes.
   */
  private bounded(settings: LaneSettings): LaneSettings {
    return this.holdInMemory ? settings : { ...settings, maxQueued: Math.max(1, settings.maxItems) };
  }

  private slotRequest(consumer: Consumer): SlotRequest {
    return {
      tenant: consumer.tenant,
      destination: destinationKey(consumer),
      maxInFlight: consumer.slots.maxInFlight,
      tenantMaxSlots: consumer.slots.tenantMaxSlots,
      weight: consumer.slots.weight,
    };
  }

  /** One request for one delivery or one batch. Settles every entry; never throws. */
  private async send(entries: Pending[], rate: RateLimitSpec | undefined): Promise<void> {
    let first = entries[0];
    let release: () => void;
    try {
      release = await this.slots.acquire(this.slotRequest(first.consumer));
    } catch (error) {
      for (const entry of entries) entry.fail(error);
      return;
    }
    entries = this.withoutErased(entries);
    if (entries.length === 0) return release();
    first = entries[0];
    // The circuit may have opened while this waited for its slot (a probe already holds its turn).
    if (!entries.some((e) => e.probe)) {
      const admitted = this.guard.admit(first.consumer);
      const admission = isPromiseLike(admitted) ? await admitted : admitted;
      if (admission.kind === 'wait' || admission.kind === 'dead') {
        release();
        for (const entry of entries) entry.settle({ kind: 'held', admission });
        return;
      }
      if (admission.kind === 'probe') first.probe = true;
    }
    const errors: Array<DeliveryError | undefined> = [];
    try {
      const startedAt = Date.now();
      const marked = entries.length === 1 ? this.markRunning(first, startedAt) : Promise.all(entries.map((e) => this.markRunning(e, startedAt)));
      if (marked) await marked;
      const results = await this.request(entries);
      let rateLimited: DeliveryError | undefined;
      entries.forEach((entry, i) => {
        const result = results[i];
        if (!result || typeof result !== 'object') {
          return entry.settle({ kind: 'error', error: new PermanentError(`${entry.consumer.type}: deliverBatch gave no result for this item`) });
        }
        if (result.ok) {
          errors.push(undefined);
          return entry.settle({ kind: 'ok', detail: result.detail });
        }
        const error = classifyError(result.error);
        errors.push(error);
        if (isRateLimited(error)) rateLimited ??= error;
        entry.settle({ kind: 'error', error });
      });
      if (rateLimited && rate) await this.pause(rate, rateLimited);
    } catch (thrown) {
      const error = classifyError(thrown);
      errors.push(error);
      if (isRateLimited(error) && rate) await this.pause(rate, error);
      for (const entry of entries) entry.settle({ kind: 'error', error });
    } finally {
      release();
      if (!this.holdInMemory) this.guard.wake(destinationKey(first.consumer), 'capacity');
    }
    // Shutdown cut it short: says nothing about the destination.
    if (this.shutdown.aborted) return;
    const failed = errors.find((e) => e !== undefined);
    const lastError = failed && this.logger.redactor.redact(`${failed.code}: ${messageOf(failed)}`);
    const recorded = this.guard.record(first.consumer, first.job, verdictOf(errors), entries.some((e) => e.probe), lastError);
    if (recorded) await recorded;
  }

  /** One request: a batch's, or (without a batch) one delivery's, without a suspended call of its own. */
  private request(entries: Pending[]): Promise<BatchItemResult[]> {
    const first = entries[0].consumer;
    const batch = first.plugin.batch;
    if (batch && batch.key(first.config) !== undefined) return this.requestBatch(entries, batch);
    const entry = entries[0];
    // A self-timed plugin (hooks) enforces the timeout from when its work starts, not from now.
    const selfTimed = entry.consumer.plugin.timeouts?.selfTimed === true;
    return this.underTimeout(selfTimed ? undefined : entry.consumer.timeoutMs, (signal) => {
      const ctx: ConnectorContext = {
        signal,
        timeoutMs: entry.consumer.timeoutMs,
        log: this.consumerLogger(entry.consumer, entry.job),
        http: createHttpClient(signal, entry.trace),
        delivery: deliveryInfo(entry),
        shared: this.shared,
      };
      return context.with(entry.trace.context, () => entry.consumer.plugin.deliver(entry.job.event, entry.consumer.config, ctx));
    }).then((outcome) => [{ ok: true, detail: outcome?.detail }]);
  }

  private async requestBatch(entries: Pending[], batch: NonNullable<Consumer['plugin']['batch']>): Promise<BatchItemResult[]> {
    const first = entries[0].consumer;
    const timeoutMs = Math.max(...entries.map((e) => e.consumer.timeoutMs));
    const results = await this.underTimeout(timeoutMs, (signal) => {
      // One request for many deliveries: it carries the first one's trace context; its status goes to each.
      const trace: RequestTrace = { context: entries[0].trace.context, status: (code) => entries.forEach((e) => e.trace.status(code)) };
      const ctx: BatchContext = { signal, log: this.consumerLogger(first, entries[0].job), http: createHttpClient(signal, trace), shared: this.shared };
      const items = entries.map((e) => ({ event: e.job.event, config: e.consumer.config, delivery: deliveryInfo(e) }));
      return context.with(trace.context, () => batch.deliverBatch(items, ctx));
    });
    if (!Array.isArray(results) || results.length !== entries.length) {
      throw new PermanentError(`${first.type}: deliverBatch returned ${Array.isArray(results) ? results.length : 'no'} results for ${entries.length} items`);
    }
    return results;
  }

  /**
   * Runs `run` with a signal that aborts after `timeoutMs` or at shutdown, and rejects then even if `run`
   * ignores its signal. Shutdown reaches the attempts in flight through {@link abortAttempts}: one listener
   * on the shared shutdown signal, not one per attempt (each add and remove there walks every listener).
   */
  private underTimeout<T>(timeoutMs: number | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.shutdown.aborted) return Promise.reject(new RetryableError('the app shut down during the attempt'));
    const controller = new AbortController();
    const signal = controller.signal;
    // One promise settled by whichever comes first, `run` or the abort: a consumer that ignores its signal
    // times out all the same.
    return new Promise<T>((resolve, reject) => {
      const over = () => {
        clearTimeout(timer);
        this.abortAttempts.delete(abort);
      };
      const abort = (reason: unknown) => {
        if (signal.aborted) return;
        controller.abort(reason);
        over();
        reject(reason);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => abort(new DeliveryTimeoutError(timeoutMs)), timeoutMs);
      this.abortAttempts.add(abort);
      const failed = (error: unknown) => {
        over();
        // An error raised because we aborted is reported as the abort's reason, not as what the client made of it.
        reject(signal.aborted && !(error instanceof DeliveryError) ? signal.reason : error);
      };
      let running: Promise<T>;
      try {
        running = Promise.resolve(run(signal));
      } catch (error) {
        return failed(error);
      }
      running.then((value) => {
        over();
        resolve(value);
      }, failed);
    });
  }

  private async pause(rate: RateLimitSpec, error: DeliveryError): Promise<void> {
    const ms = error.retryAfterMs ?? rate.perMs;
    try {
      await this.limiter.pause(rate, ms);
      this.logger.warn('rate limited: key paused', { key: rate.key, pauseMs: ms });
    } catch (failure) {
      this.logger.error('rate limit pause not stored', { key: rate.key, error: messageOf(failure) });
    }
  }

  private markRunning(entry: Pending, startedAt: number): MaybePromise<void> {
    entry.startedAt = startedAt;
    entry.trace.requestStarted();
    return this.records.running(entry.job.deliveryId, entry.attempt, startedAt);
  }

  private async defer(job: DeliveryJob, fields: LogFields, retryInMs: number, reason: string, destination?: string): Promise<AttemptResult> {
    const now = Date.now();
    const error = this.logger.redactor.redact(reason);
    await this.records.deferred(job.deliveryId, error, retryInMs, now);
    this.logger.debug('delivery deferred, not attempted', { ...fields, outcome: 'deferred', retryInMs, error });
    return destination ? { status: 'deferred', retryInMs, error, destination } : { status: 'deferred', retryInMs, error };
  }

  /** Not attempted because of the destination's circuit: parked until it may go, or dead after too long an outage. */
  private hold(job: DeliveryJob, fields: LogFields, consumer: Consumer, admission: Extract<Admission, { kind: 'wait' | 'dead' }>): Promise<AttemptResult> {
    if (admission.kind === 'dead') {
      const since = new Date(admission.openedAt).toISOString();
      const reason = `CIRCUIT_OPEN: ${consumer.destination} has been failing since ${since}, longer than circuit.deadAfterMs (${consumer.circuit.deadAfterMs} ms); not attempted`;
      return this.deadUnattempted(job, fields, consumer, reason);
    }
    if (this.waitingFull(consumer)) return this.overflow(job, fields, consumer);
    this.guard.park(consumer, job.deliveryId, 'circuit');
    const reason = `CIRCUIT_OPEN: ${consumer.destination} is failing; not attempted, waits for its circuit to close`;
    return this.defer(job, fields, admission.retryInMs, reason, destinationKey(consumer));
  }

  /** Deliveries parked or queued for the destination reached `maxWaitingPerDestination`. */
  private waitingFull(consumer: Consumer): boolean {
    const key = destinationKey(consumer);
    return this.guard.parkedAt(consumer) + this.slots.waitingFor(key, consumer.tenant) >= consumer.slots.maxWaiting;
  }

  private overflow(job: DeliveryJob, fields: LogFields, consumer: Consumer): Promise<AttemptResult> {
    const reason =
      `WAITING_FULL: ${consumer.slots.maxWaiting} deliveries already wait for ${consumer.destination} ` +
      '(delivery.maxWaitingPerDestination); dead-lettered without an attempt, replay it once the destination catches up';
    return this.deadUnattempted(job, fields, consumer, reason);
  }

  /** Dead without an attempt (its destination is down for too long, or too many wait for it). */
  private async deadUnattempted(job: DeliveryJob, fields: LogFields, consumer: Consumer, reason: string): Promise<AttemptResult> {
    const error = this.logger.redactor.redact(reason);
    await this.records.dead(job.deliveryId, { attempts: job.attempts, lastError: error });
    this.logger.error('delivery dead', { ...fields, outcome: 'dead', error });
    this.guard.dead(consumer, job, error);
    return { status: 'dead', error };
  }

  /**
   * Shutdown cut the attempt short: that is not the destination's failure, so it uses no attempt and
   * can never make a delivery dead. The transport runs it again (bullmq: another instance picks it up).
   */
  private async interrupted(job: DeliveryJob, fields: LogFields): Promise<AttemptResult> {
    const error = 'SHUTDOWN: the app shut down during the attempt; it runs again, not counted as an attempt';
    await this.records.interrupted(job.deliveryId, job.attempts, error);
    this.logger.warn('delivery interrupted by shutdown', { ...fields, outcome: 'deferred' });
    return { status: 'deferred', retryInMs: 0, error };
  }

  private async fail(
    job: DeliveryJob,
    attempt: number,
    fields: LogFields,
    error: DeliveryError,
    startedAt: number,
    consumer: Consumer | undefined,
    trace: AttemptTrace,
  ): Promise<AttemptResult> {
    const durationMs = Date.now() - startedAt;
    trace.failed(error, durationMs);
    const retryInMs = consumer ? nextRetryDelayMs(error, attempt, consumer.retry) : null;
    const lastError = this.logger.redactor.redact(`${error.code}: ${messageOf(error)}`);
    const now = Date.now();
    const failure = { attempts: attempt, lastError, durationMs, at: now };
    await (retryInMs === null ? this.records.dead(job.deliveryId, failure) : this.records.retrying(job.deliveryId, { ...failure, retryInMs }));
    const line = { ...fields, durationMs, error: lastError, retryable: error.retryable };
    if (retryInMs === null) {
      this.logger.error('delivery dead', { ...line, outcome: 'dead', maxAttempts: consumer?.retry.maxAttempts });
      this.guard.dead(consumer, job, lastError);
      return { status: 'dead', error: lastError };
    }
    this.logger.warn('delivery attempt failed', { ...line, outcome: 'failed', retryInMs });
    return { status: 'failed', retryInMs, error: lastError };
  }

  private consumerLogger(consumer: Consumer, job: DeliveryJob): ConnectorLogger {
    const base = { tenant: consumer.tenant, consumerId: consumer.id, eventId: job.event.id, deliveryId: job.deliveryId };
    return {
      debug: (m, f) => this.logger.debug(m, { ...base, ...f }),
      info: (m, f) => this.logger.info(m, { ...base, ...f }),
      warn: (m, f) => this.logger.warn(m, { ...base, ...f }),
      error: (m, f) => this.logger.error(m, { ...base, ...f }),
    };
  }
}

/** Erased delivery ids remembered (see eraseDeliveries). */
const MAX_ERASED_IDS = 10_000;

/** How long a delivery waits when the tenant store cannot be read. */
const STORE_RETRY_MS = 5_000;
/** A delivery queued for a shared destination slot is woken when one is handed to it; this is only the fallback. */
const QUEUED_FALLBACK_MS = 300_000;

/**
 * Whether the consumer's deliveries go through a lane (a batch or a rate-limit turn). Their requests are
 * paced by the rate limiter, shared across instances, and capped per instance by the slots.
 */
function laned(consumer: Consumer): boolean {
  try {
    return consumer.plugin.batch?.key(consumer.config) !== undefined || consumer.plugin.rateLimit?.(consumer.config) !== undefined;
  } catch {
    return false; // route() fails it with the connector's own error
  }
}
function jitter(maxMs: number): number {
  return Math.floor(Math.random() * maxMs);
}

function isRateLimited(error: DeliveryError): boolean {
  return error instanceof RateLimitedError || (error instanceof ConnectorRequestError && error.status === 429);
}

function deliveryInfo(entry: Pending) {
  const { job, consumer, attempt } = entry;
  return { id: job.deliveryId, eventId: job.event.id, tenant: job.event.tenant, consumerId: consumer.id, attempt };
}

function logFields(job: DeliveryJob, attempt: number): LogFields {
  return { tenant: job.event.tenant, consumerId: job.consumerId, eventId: job.event.id, deliveryId: job.deliveryId, attempt };
}
