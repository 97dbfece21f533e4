import type { Job, JobType } from 'bullmq';
import type { DeliveryRecord, DeliveryStatus } from '../records/delivery';
import type { DeliveryLog, DeliveryPage, DeliveryQuery } from '../records/delivery-log';
import type { DeliveryJobData, DeliveryJobResult, DeliveryQueue } from './bullmq.queue';

type DeliveryJobRef = Job<DeliveryJobData, DeliveryJobResult>;

/**
 * Job states that hold each delivery status. A delayed job is a retry waiting its turn (`failed`), or a
 * delivery never attempted yet, held back for its destination (`pending`): see {@link statusOf}.
 */
const STATES_OF: Record<DeliveryStatus, JobType[]> = {
  pending: ['waiting', 'prioritized', 'delayed'],
  running: ['active'],
  failed: ['delayed'],
  succeeded: ['completed'],
  dead: ['failed'],
};

/** Jobs read per state for one listing; filters apply within them (the admin view is of recent deliveries). */
const LIST_SCAN_LIMIT = 2_000;

/**
 * The delivery log read from BullMQ's own job state (attempts, failed reason, timings), so every
 * instance sees the same records and retention is the queue's (`keepSucceeded`, `keepDead`).
 * Writes are no-ops: the executor's updates are already what the job's state records.
 */
export class BullmqDeliveryLog implements DeliveryLog {
  constructor(private readonly queue: DeliveryQueue) {}

  put(): boolean {
    return true; // idempotence comes from the job id: adding an existing one is a no-op in Redis
  }

  update(): undefined {
    return undefined;
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return undefined;
    const state = await job.getState();
    return state === 'unknown' ? undefined : this.toRecord(job, state);
  }

  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const offset = query.cursor ? Number.parseInt(query.cursor, 36) : 0;
    const states = query.status ? STATES_OF[query.status] : [...new Set(Object.values(STATES_OF).flat())];
    const scan = query.tenant || query.tenants || query.consumer || query.eventId || query.since || query.until ? LIST_SCAN_LIMIT : Math.min(offset + limit + 1, LIST_SCAN_LIMIT);
    const found = await Promise.all(
      states.map(async (state) => {
        const jobs = (await this.queue.getJobs([state], 0, scan - 1, false)) as DeliveryJobRef[];
        return jobs.filter(Boolean).map((job) => ({ job, state }));
      }),
    );
    const matching = found
      .flat()
      .filter(({ job, state }) => !query.status || statusOf(state, job) === query.status)
      .filter(({ job }) => !query.tenant || job.data.event.tenant === query.tenant)
      .filter(({ job }) => !query.consumer || job.data.consumerId === query.consumer)
      .filter(({ job }) => !query.tenants || query.tenants.includes(job.data.event.tenant))
      .filter(({ job }) => !query.eventId || job.data.event.id === query.eventId)
      .filter(({ job }) => !query.since || job.timestamp >= Date.parse(query.since))
      .filter(({ job }) => !query.until || job.timestamp < Date.parse(query.until))
      .sort((a, b) => b.job.timestamp - a.job.timestamp);
    const page = matching.slice(offset, offset + limit);
    const items = await Promise.all(page.map(({ job, state }) => this.toRecord(job, state)));
    const more = matching.length > offset + limit;
    return { items, nextCursor: more ? (offset + limit).toString(36) : null };
  }

  private async toRecord(job: DeliveryJobRef, state: string): Promise<DeliveryRecord> {
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
      createdAt: new Date(job.timestamp).toISOString(),
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
