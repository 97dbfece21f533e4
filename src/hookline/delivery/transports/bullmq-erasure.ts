import type { Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { UserRegisteredEvent } from '../../core/events/user-registered.event';
import type { DeliveryJobData, DeliveryJobResult, DeliveryQueue } from './bullmq.queue';

type DeliveryJobRef = Job<DeliveryJobData, DeliveryJobResult>;

/** Events of the queue's event stream read at once while looking for an erased job's entries. */
const STREAM_PAGE = 1_000;

/**
 * Erases jobs: each is removed from Redis with everything BullMQ keeps of it (its data, its return value,
 * its failed reason), and so is every entry of the queue's event stream that names it. A job running at
 * that moment cannot be removed (a worker holds its lock): its event is replaced at once by a tombstone
 * with no user field (`erased: true`), and the worker ends it as dead without another attempt; a request
 * already in flight completes. Answers the ids erased.
 */
export async function eraseJobs(queue: DeliveryQueue, redis: Redis | Cluster, jobs: readonly DeliveryJobRef[]): Promise<string[]> {
  const erased: string[] = [];
  for (const job of jobs) {
    try {
      await job.remove();
    } catch {
      await job.updateData({ ...job.data, event: tombstoneOf(job.data.event), erased: true });
    }
    erased.push(job.id!);
  }
  if (erased.length) await dropStreamEntries(redis, queue.toKey('events'), new Set(erased));
  return erased;
}

/** An event with nothing left of its user (nor its id, which the host may derive from the user): only its tenant and time stay. */
export function tombstoneOf(event: UserRegisteredEvent): UserRegisteredEvent {
  const { tenant } = event;
  return {
    id: '[erased]',
    occurredAt: event.occurredAt,
    tenant,
    user: { id: '[erased]', tenant, emailVerified: false, phoneNumberVerified: false, user_metadata: {}, app_metadata: {} },
    context: { connection: { id: '', name: '', tenant } },
  };
}

/** Deletes the event stream's entries about these jobs (a failed reason may quote the user's data). */
async function dropStreamEntries(client: Redis | Cluster, stream: string, ids: ReadonlySet<string>): Promise<void> {
  let start = '-';
  for (;;) {
    const entries = await client.xrange(stream, start, '+', 'COUNT', STREAM_PAGE);
    const doomed = entries.filter(([, fields]) => fields.some((value, i) => i % 2 === 1 && fields[i - 1] === 'jobId' && ids.has(value))).map(([id]) => id);
    if (doomed.length) await client.xdel(stream, ...doomed);
    if (entries.length < STREAM_PAGE) return;
    start = `(${entries[entries.length - 1][0]}`;
  }
}
