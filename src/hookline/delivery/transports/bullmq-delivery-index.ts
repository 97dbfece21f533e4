import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { whenConnected } from './bullmq.connections';

/** What the index knows of one delivery: enough to list it in order and to find a user's or a tenant's. */
export interface IndexedDelivery {
  id: string;
  tenant: string;
  consumer: string;
  /** The user the event is about (kept only as a hash in Redis). */
  userId: string;
  /** When the delivery was created (epoch ms). */
  createdAt: number;
}

/** Which deliveries to range over: one tenant's, one consumer's, some tenants', one user's, or all. */
export interface IndexScope {
  consumer?: string;
  tenant?: string;
  tenants?: readonly string[];
  userId?: string;
}

/**
 * `ADD`: indexes a delivery once. A delivery indexed before whose job is gone (retention removed it, and the
 * event is published again) is indexed afresh; one whose job still exists keeps its place.
 * KEYS: ids, job, all, tenant, consumer, user. ARGV: id, member, entry.
 */
const ADD = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
  local member = string.match(old, '^([^\\n]*)')
  for i = 3, 6 do redis.call('ZREM', KEYS[i], member) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
for i = 3, 6 do redis.call('ZADD', KEYS[i], 0, ARGV[2]) end
return 1`;

/**
 * `FORGET`: removes deliveries from every index they are in. KEYS: ids. ARGV: the index keys' prefix, ids…
 * (The index keys share the ids hash's prefix, so they hash to the same Cluster slot when it has a {tag}.)
 */
const FORGET = `
local n = 0
for i = 2, #ARGV do
  local entry = redis.call('HGET', KEYS[1], ARGV[i])
  if entry then
    local member, tenant, consumer, user = string.match(entry, '^([^\\n]*)\\n([^\\n]*)\\n([^\\n]*)\\n([^\\n]*)$')
    if member then
      redis.call('ZREM', ARGV[1], member)
      redis.call('ZREM', ARGV[1] .. ':t:' .. tenant, member)
      redis.call('ZREM', ARGV[1] .. ':c:' .. consumer, member)
      redis.call('ZREM', ARGV[1] .. ':u:' .. user, member)
    end
    redis.call('HDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n`;

type IndexClient = (Redis | Cluster) & {
  hooklineIndexAdd(...args: string[]): Promise<number>;
  hooklineIndexForget(...args: string[]): Promise<number>;
};

/** Client states before its first connection is up (later outages are `reconnecting`: no wait then). */
const FIRST_CONNECTION = new Set(['connecting', 'connect']);
const FIRST_CONNECTION_WAIT_MS = 2_000;

/** Width of the creation time in a member: zero-padded epoch ms, so that members sort by time as strings. */
const TIME_DIGITS = 15;

/**
 * The delivery index of the bullmq transport: sorted sets in Redis, one of every delivery, one per tenant,
 * one per consumer and one per user, written when a delivery is recorded. BullMQ keeps jobs by state, so
 * the newest jobs of a busy tenant would hide a quiet tenant's older ones from any listing that reads
 * states and filters afterwards; with these a listing reads only the deliveries it may show, newest first,
 * and a cursor is a position in that order (exact across pages). Members are `<created ms>:<id>`, all
 * with score 0, ranged lexicographically. Entries whose job is gone are removed as they are met.
 */
export class BullmqDeliveryIndex {
  private readonly client: IndexClient;
  private firstConnection?: Promise<void>;

  constructor(
    client: Redis | Cluster,
    /** The queue's key prefix (`<prefix>:<queue>`): the index lives beside the jobs. */
    private readonly base: string,
  ) {
    client.defineCommand('hooklineIndexAdd', { numberOfKeys: 6, lua: ADD });
    client.defineCommand('hooklineIndexForget', { numberOfKeys: 1, lua: FORGET });
    this.client = client as IndexClient;
  }

  /** Indexes a delivery (its job is `jobKey`); a no-op for one already indexed whose job exists. */
  async add(delivery: IndexedDelivery, jobKey: string): Promise<void> {
    const member = memberOf(delivery.createdAt, delivery.id);
    const user = userKeyOf(delivery.userId);
    const entry = [member, delivery.tenant, delivery.consumer, user].join('\n');
    const keys = [this.ids, jobKey, this.all, this.key('t', delivery.tenant), this.key('c', delivery.consumer), this.key('u', user)];
    await this.connected();
    await this.client.hooklineIndexAdd(...keys, delivery.id, member, entry);
  }

  /**
   * The client fails fast while Redis is down (no offline queue), which a publish wants; but right after
   * start-up it may still be connecting for the first time: every command waits for that first connection,
   * briefly (a read made as the app starts, as a write, must not fail because the socket is not open yet).
   */
  private connected(): Promise<void> | undefined {
    if (!FIRST_CONNECTION.has(this.client.status)) return undefined;
    // One wait (one listener) shared by every command sent meanwhile.
    this.firstConnection ??= whenConnected(this.client, FIRST_CONNECTION_WAIT_MS).then(() => {
      this.firstConnection = undefined;
    });
    return this.firstConnection;
  }

  /** Removes deliveries from the index. */
  async forget(ids: readonly string[]): Promise<void> {
    await this.connected();
    for (let i = 0; i < ids.length; i += 500) await this.client.hooklineIndexForget(this.ids, this.all, ...ids.slice(i, i + 500));
  }

  /**
   * Up to `count` members below `before` (exclusive; the newest when undefined) and at or after `since`,
   * newest first, across the scope's indexes (merged: each gives its newest `count`, the union's newest win).
   */
  async range(scope: IndexScope, bounds: { before?: string; until?: number; since?: number }, count: number): Promise<string[]> {
    const tops = [bounds.before && `(${bounds.before}`, bounds.until !== undefined && `(${pad(bounds.until)}`].filter(Boolean) as string[];
    const max = tops.length ? tops.sort()[0] : '+';
    const min = bounds.since !== undefined ? `[${pad(bounds.since)}` : '-';
    await this.connected();
    const lists = await Promise.all(this.keysOf(scope).map((key) => this.client.zrevrangebylex(key, max, min, 'LIMIT', 0, count)));
    if (lists.length === 1) return lists[0];
    return lists.flat().sort().reverse().slice(0, count);
  }

  /** When a delivery was created, as indexed (epoch ms); undefined for one not indexed. */
  async createdAt(id: string): Promise<number | undefined> {
    await this.connected();
    const entry = await this.client.hget(this.ids, id);
    return entry ? parseMember(entry.split('\n')[0]).createdAt : undefined;
  }

  /** The oldest members of the whole index after `after` (exclusive), for the sweep of entries whose job is gone. */
  async oldest(count: number, after?: string): Promise<string[]> {
    await this.connected();
    return this.client.zrangebylex(this.all, after ? `(${after}` : '-', '+', 'LIMIT', 0, count);
  }

  private keysOf(scope: IndexScope): string[] {
    if (scope.userId !== undefined) return [this.key('u', userKeyOf(scope.userId))];
    if (scope.consumer) return [this.key('c', scope.consumer)];
    if (scope.tenant) return [this.key('t', scope.tenant)];
    if (scope.tenants) return scope.tenants.map((t) => this.key('t', t));
    return [this.all];
  }

  private get ids(): string {
    return `${this.base}:hl:ids`;
  }

  private get all(): string {
    return `${this.base}:hl:idx`;
  }

  private key(kind: 't' | 'c' | 'u', value: string): string {
    return `${this.all}:${kind}:${value}`;
  }
}

/** `<created ms>:<id>`. */
export function memberOf(createdAt: number, id: string): string {
  return `${pad(createdAt)}:${id}`;
}

/** The delivery id and creation time of a member. */
export function parseMember(member: string): { id: string; createdAt: number } {
  return { id: member.slice(TIME_DIGITS + 1), createdAt: Number(member.slice(0, TIME_DIGITS)) };
}

function pad(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(TIME_DIGITS, '0');
}

/** A user id as the index keeps it: hashed, so a key name never holds it (nor a `{` that would change its Cluster slot). */
function userKeyOf(userId: string): string {
  return createHash('sha256').update(userId).digest('hex').slice(0, 32);
}
