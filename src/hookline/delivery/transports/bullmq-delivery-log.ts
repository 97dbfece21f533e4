import type { Job } from 'bullmq';
import { CursorInvalidError } from '../../core/errors/cursor-invalid.error';
import { TransportUnavailableError } from '../../core/errors/transport-unavailable.error';
import type { DeliveryRecord, DeliveryStatus } from '../records/delivery';
import type { DeliveryLog, DeliveryPage, DeliveryQuery, PutOptions } from '../records/delivery-log';
import { BullmqDeliveryIndex, parseMember } from './bullmq-delivery-index';
import type { BullmqConnections } from './bullmq.connections';
import type { DeliveryJobData, DeliveryJobResult } from './bullmq.queue';
import { eraseJobs } from './bullmq-erasure';

type DeliveryJobRef = Job<DeliveryJobData, DeliveryJobResult>;

/**
 * Job states that can hold each delivery status. A delayed job is a retry waiting its turn (`failed`), or a
 * delivery never attempted yet, held back for its destination (`pending`): see {@link statusOf}.
 */
const STATES_OF: Record<DeliveryStatus, readonly string[]> = {
  pending: ['waiting', 'prioritized', 'delayed'],
  running: ['active'],
  failed: ['delayed'],
  succeeded: ['completed'],
  dead: ['failed'],
};

/** Index entries read per round trip of a listing. */
const LIST_BATCH = 200;
/**
 * Index entries one listing examines at most. A page that reaches it before `limit` matches answers what it
 * found with a `nextCursor` that resumes right after the last entry examined: bounded work per request,
 * and paging on never skips a delivery.
 */
const LIST_BUDGET = 5_000;
/** An index entry without its job is removed once this old (younger, its job may be being added). */
const STALE_AFTER_MS = 60_000;
/**
 * How often a put sweeps the oldest index entries for jobs that retention removed (by age, or by count under
 * load), how many it reads at a time, and at most in one sweep.
 */
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 500;
const SWEEP_MAX = 20_000;
/** Job states read when indexing the jobs an earlier version queued, and how many at a time. */
const BACKFILL_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
const BACKFILL_PAGE = 500;

/**
 * The delivery log read from BullMQ's own job state (attempts, failed reason, timings), so every
 * instance sees the same records and retention is the queue's (`keepSucceeded`, `keepDead`).
 * A record is written once, to the delivery index (see {@link BullmqDeliveryIndex}), when the delivery
 * is created; its later states are what the job's state records.
 */
export class BullmqDeliveryLog implements DeliveryLog {
  private readonly index: BullmqDeliveryIndex;
  private lastSweep = 0;
  private indexed?: Promise<void>;

  constructor(private readonly redis: BullmqConnections) {
    this.index = new BullmqDeliveryIndex(redis.redis, redis.queue.toKey('').replace(/:$/, ''));
  }

  private get queue() {
    return this.redis.queue;
  }

  /** Indexes the delivery. Idempotence comes from the job id: adding an existing job is a no-op in Redis. */
  async put(record: DeliveryRecord, options: PutOptions = {}): Promise<boolean> {
    const indexed = { id: record.id, tenant: record.tenant, consumer: record.consumer, userId: options.userId ?? '', createdAt: Date.parse(record.createdAt) };
    try {
      await this.index.add(indexed, this.queue.toKey(record.id));
    } catch (error) {
      throw new TransportUnavailableError(this.redis.options.where, 1, error);
    }
    if (Date.now() - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = Date.now();
      void this.sweep().catch(() => undefined); // the next listing or sweep removes what this one could not
    }
    return true;
  }

  update(): undefined {
    return undefined;
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return undefined;
    const [state, createdAt] = await Promise.all([job.getState(), this.index.createdAt(id)]);
    return state === 'unknown' ? undefined : this.toRecord(job, state, createdAt);
  }

  /**
   * Newest first, from the index of the tenant, consumer or scope asked for. The cursor is the position of
   * the last delivery returned (or examined), base64url-encoded: opaque, and exact however the jobs move.
   */
  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const bounds = {
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
      since: query.since ? Date.parse(query.since) : undefined,
      until: query.until ? Date.parse(query.until) : undefined,
    };
    await this.backfilled();
    const items: DeliveryRecord[] = [];
    const stale: string[] = [];
    let position: string | undefined;
    let examined = 0;
    try {
      while (examined < LIST_BUDGET) {
        // The first read fits an unfiltered page (and the one after it); later ones read more.
        const members = await this.index.range(query, bounds, examined === 0 ? Math.min(LIST_BATCH, limit + 1) : LIST_BATCH);
        if (members.length === 0) return { items, nextCursor: null };
        const found = await Promise.all(members.map((m) => this.load(parseMember(m).id, query.status)));
        for (let i = 0; i < members.length; i++) {
          examined++;
          const entry = found[i];
          if (entry === null) continue;
          if (!entry) {
            if (Date.now() - parseMember(members[i]).createdAt > STALE_AFTER_MS) stale.push(parseMember(members[i]).id);
            continue;
          }
          if (!matches(entry, query)) continue;
          if (items.length === limit) return { items, nextCursor: encodeCursor(position!) };
          items.push(await this.toRecord(entry.job, entry.state, parseMember(members[i]).createdAt));
          position = members[i];
        }
        bounds.before = members[members.length - 1];
      }
      // Out of budget: the next page resumes after the last entry examined.
      return { items, nextCursor: encodeCursor(bounds.before!) };
    } finally {
      if (stale.length) void this.index.forget(stale).catch(() => undefined);
    }
  }

  /**
   * Erases a user's deliveries from Redis, waiting or finished (see {@link eraseJobs}), within `tenants`
   * when given; answers their ids. Index entries without a job yet (one being added) are left to the sweep.
   */
  async eraseUser(userId: string, tenants?: readonly string[]): Promise<string[]> {
    await this.backfilled();
    const erased: string[] = [];
    let before: string | undefined;
    for (;;) {
      const members = await this.index.range({ userId }, { before }, 500);
      if (members.length === 0) return erased;
      before = members[members.length - 1];
      const jobs = await Promise.all(members.map((m) => this.queue.getJob(parseMember(m).id) as Promise<DeliveryJobRef | undefined>));
      const mine = jobs.filter((job): job is DeliveryJobRef => !!job?.data?.event && (!tenants || tenants.includes(job.data.event.tenant)));
      const done = await eraseJobs(this.queue, this.redis.redis, mine);
      await this.index.forget(done);
      erased.push(...done);
    }
  }

  /**
   * Jobs queued before the index existed (by an earlier version) are indexed once, on the first listing or
   * erasure; a marker key says it was done. Indexing is idempotent, so instances doing it at once agree.
   */
  private backfilled(): Promise<void> {
    this.indexed ??= this.backfill().catch((error) => {
      this.indexed = undefined;
      throw error;
    });
    return this.indexed;
  }

  private async backfill(): Promise<void> {
    const marker = this.queue.toKey('hl:indexed');
    if (await this.redis.redis.exists(marker)) return;
    for (const state of BACKFILL_STATES) {
      for (let start = 0; ; start += BACKFILL_PAGE) {
        const jobs = (await this.queue.getJobs([state], start, start + BACKFILL_PAGE - 1, true)) as DeliveryJobRef[];
        await Promise.all(
          jobs
            .filter((job) => job?.data?.event)
            .map((job) => {
              const { tenant, user } = job.data.event;
              const entry = { id: job.id!, tenant, consumer: job.data.consumerId, userId: user?.id ?? '', createdAt: job.timestamp };
              return this.index.add(entry, this.queue.toKey(job.id!));
            }),
        );
        if (jobs.length < BACKFILL_PAGE) break;
      }
    }
    await this.redis.redis.set(marker, new Date().toISOString());
  }

  /**
   * Forgets index entries whose job retention removed, oldest first, until a batch finds none (the jobs still
   * kept begin there) or {@link SWEEP_MAX} were read. A job still waiting among old ones does not stop it.
   */
  private async sweep(): Promise<void> {
    let after: string | undefined;
    for (let read = 0; read < SWEEP_MAX; read += SWEEP_BATCH) {
      const members = await this.index.oldest(SWEEP_BATCH, after);
      if (members.length === 0) return;
      const exists = await Promise.all(members.map((m) => this.redis.redis.exists(this.queue.toKey(parseMember(m).id))));
      const gone = members.filter((m, i) => !exists[i] && Date.now() - parseMember(m).createdAt > STALE_AFTER_MS);
      await this.index.forget(gone.map((m) => parseMember(m).id));
      if (gone.length === 0) return;
      after = members[members.length - 1];
    }
  }

  /**
   * The job and its state; undefined when the job is gone. With a status to match, the state is read first,
   * and a job in a state that cannot have that status is not loaded (null).
   */
  private async load(id: string, status?: DeliveryStatus): Promise<{ job: DeliveryJobRef; state: string } | undefined | null> {
    if (status) {
      const state = await this.queue.getJobState(id);
      if (state === 'unknown') return undefined;
      if (!STATES_OF[status].includes(state)) return null;
    }
    const job = (await this.queue.getJob(id)) as DeliveryJobRef | undefined;
    if (!job?.data?.event) return undefined;
    const state = await job.getState();
    return state === 'unknown' ? undefined : { job, state };
  }

  /** `createdAt`: as indexed (when the delivery was recorded, the order of listings); else the job's own time. */
  private async toRecord(job: DeliveryJobRef, state: string, createdAt = job.timestamp): Promise<DeliveryRecord> {
    const status = statusOf(state, job);
    const finished = job.finishedOn ?? null;
    return {
      id: job.id!,
      eventId: job.data.event.id,
      tenant: job.data.event.tenant,
      consumer: job.data.consumerId,
      kind: job.data.kind,
      status,
      // An active job's current attempt is not counted by BullMQ until it ends.
      attempts: job.attemptsMade + (status === 'running' ? 1 : 0),
      lastError: job.failedReason || null,
      createdAt: new Date(createdAt).toISOString(),
      updatedAt: new Date(finished ?? job.processedOn ?? job.timestamp).toISOString(),
      durationMs: finished && job.processedOn ? finished - job.processedOn : null,
      nextAttemptAt: state === 'delayed' ? await this.dueAt(job.id!) : null,
      ...(job.returnvalue?.detail ? { detail: job.returnvalue.detail } : {}),
    };
  }

  /** When a delayed job is due: its score in the delayed set encodes the time (ms × 0x1000 + a counter). */
  private async dueAt(id: string): Promise<string | null> {
    const client = await this.queue.getBackend().client;
    const score = await client.zscore(this.queue.toKey('delayed'), id);
    return score === null ? null : new Date(Math.floor(Number(score) / 0x1000)).toISOString();
  }
}

/** The filters the index does not apply: status, event id, and the scope when a tenant or consumer chose the index. */
function matches({ job, state }: { job: DeliveryJobRef; state: string }, query: DeliveryQuery): boolean {
  const { tenant, id } = job.data.event;
  if (query.status && statusOf(state, job) !== query.status) return false;
  if (query.tenant && tenant !== query.tenant) return false;
  if (query.tenants && !query.tenants.includes(tenant)) return false;
  if (query.consumer && job.data.consumerId !== query.consumer) return false;
  if (query.eventId && id !== query.eventId) return false;
  return true;
}

function encodeCursor(member: string): string {
  return Buffer.from(member).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString();
  if (!/^\d{15}:./.test(member)) throw new CursorInvalidError();
  return member;
}

function statusOf(state: string, job: DeliveryJobRef): DeliveryStatus {
  switch (state) {
    case 'active':
      return 'running';
    case 'delayed':
      // Never attempted and never failed: held back for its destination (a busy one, an open circuit).
      return job.attemptsMade === 0 && !job.failedReason ? 'pending' : 'failed';
    case 'completed':
      return 'succeeded';
    case 'failed':
      return 'dead';
    default:
      return 'pending';
  }
}
