import type { Cluster, Redis } from 'ioredis';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { DestinationLeases, LeaseOutcome, LeaseWaker } from '../executor/destination-leases';
import { destinationTag } from './redis-destination-keys';
import { defineScript, type RedisScript } from './redis-script';

/**
 * Takes a slot, or queues the holder. KEYS: slots (zset holder → lease expiry), waiting (zset holder →
 * queued at), handed (set of holders given a slot they have not claimed yet), cap.
 * ARGV: holder, cap, now, lease expiry, queue score. A holder that already has a slot (handed to it, or its own
 * from an earlier run of the same delivery) keeps it. Only live slots count toward the cap.
 */
const ACQUIRE = `
redis.call('SET', KEYS[4], ARGV[2], 'PX', 86400000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[3], '+inf') >= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

/**
 * Releases a holder's slot (ARGV[1], or '' for none), drops expired slots (an instance that died), puts
 * a handed slot that was never claimed back at the head of the queue (its wake-up was lost), then hands
 * free slots to the first waiting holders. ARGV: holder, now, reservation expiry.
 * Returns { handed holders, waiting count, slots in use }.
 */
const PUMP = `
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[1])
end
for _, holder in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])) do
  redis.call('ZREM', KEYS[1], holder)
  if redis.call('SREM', KEYS[3], holder) == 1 then redis.call('ZADD', KEYS[2], 0, holder) end
end
local cap = tonumber(redis.call('GET', KEYS[4]) or '1')
local handed = {}
while redis.call('ZCARD', KEYS[1]) < cap do
  local first = redis.call('ZPOPMIN', KEYS[2])
  if #first == 0 then break end
  redis.call('ZADD', KEYS[1], ARGV[3], first[1])
  redis.call('SADD', KEYS[3], first[1])
  handed[#handed + 1] = first[1]
end
return { handed, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[1]) }
`;

const RENEW_EVERY_MS = 1_000;

/**
 * At publish: reserves free slots for the first holders while nobody waits. KEYS as ACQUIRE.
 * ARGV: cap, now, reservation expiry, holders... Returns the holders given a slot.
 */
const ADMIT = `
redis.call('SET', KEYS[4], ARGV[1], 'PX', 86400000)
local admitted = {}
if redis.call('ZCARD', KEYS[2]) > 0 then return admitted end
local free = tonumber(ARGV[1]) - redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')
for i = 4, #ARGV do
  if free <= 0 then break end
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[i])
  redis.call('SADD', KEYS[3], ARGV[i])
  admitted[#admitted + 1] = ARGV[i]
  free = free - 1
end
return admitted
`;

/**
 * Queues held-back holders, unless a slot is free and nobody waits (then reserved and returned).
 * KEYS as ACQUIRE. ARGV: cap, now, reservation expiry, then (queue score, holder) pairs.
 */
const HOLD = `
local admitted = {}
local waiting = redis.call('ZCARD', KEYS[2])
local free = tonumber(ARGV[1]) - redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')
for i = 4, #ARGV, 2 do
  local holder = ARGV[i + 1]
  if waiting == 0 and free > 0 then
    redis.call('ZADD', KEYS[1], ARGV[3], holder)
    redis.call('SADD', KEYS[3], holder)
    admitted[#admitted + 1] = holder
    free = free - 1
  else
    redis.call('ZADD', KEYS[2], 'NX', ARGV[i], holder)
    waiting = waiting + 1
  end
end
return admitted
`;

export interface RedisDestinationLeasesOptions {
  /** Prefix of the keys (the transport's `prefix`). */
  prefix: string;
  /** How long a slot lasts unless its instance renews it (it does, every second, while the request runs). @default 10000 */
  leaseMs?: number;
  /** How long a slot handed to a waiting delivery is kept for it before it is handed to it again. @default 10000 */
  reserveMs?: number;
  /** How often each instance hands on the slots of instances that died. @default 1000 */
  sweepEveryMs?: number;
}

/**
 * Per-destination request slots shared by every instance on the bullmq transport, in Redis: a sorted set
 * of leases per destination (expiring, renewed while the request runs), a FIFO waiting list, and the
 * holders a freed slot was handed to. See {@link DestinationLeases}.
 */
export class RedisDestinationLeases implements DestinationLeases {
  private readonly leaseMs: number;
  private readonly reserveMs: number;
  /** Slots this instance holds, per destination: renewed until released. */
  private readonly held = new Map<string, Set<string>>();
  /** Destinations with deliveries queued: swept for slots whose instance died. */
  private readonly queuedKey: string;
  private readonly timers: NodeJS.Timeout[];
  private waker?: LeaseWaker;
  private sweeping = false;
  private seq = 0;
  private readonly sweepEveryMs: number;
  /** Until when each destination is known to be in the swept set (saves a write per queued delivery). */
  private readonly announced = new Map<string, number>();

  /** The slot's scripts, run on every delivery to a shared destination: by SHA, not sent each time. */
  private readonly scripts: Record<'acquire' | 'admit' | 'hold' | 'pump', RedisScript>;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly logger: HooklineLogger,
    private readonly options: RedisDestinationLeasesOptions,
  ) {
    this.scripts = {
      acquire: defineScript(redis, 'hooklineSlotAcquire', ACQUIRE, 4),
      admit: defineScript(redis, 'hooklineSlotAdmit', ADMIT, 4),
      hold: defineScript(redis, 'hooklineSlotHold', HOLD, 4),
      pump: defineScript(redis, 'hooklineSlotPump', PUMP, 4),
    };
    this.leaseMs = options.leaseMs ?? 10_000;
    this.reserveMs = options.reserveMs ?? 10_000;
    this.queuedKey = `${options.prefix}:dest:queued`;
    this.sweepEveryMs = options.sweepEveryMs ?? 1_000;
    this.timers = [
      // Often, so that a dead instance's slots expire close to `leaseMs` after it died, never much before.
      setInterval(() => void this.renew(), Math.max(100, Math.min(RENEW_EVERY_MS, Math.floor(this.leaseMs / 3)))),
      setInterval(() => void this.sweep(), this.sweepEveryMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  setWaker(waker: LeaseWaker): void {
    this.waker = waker;
  }

  async acquire(destination: string, holder: string, cap: number): Promise<LeaseOutcome> {
    const now = Date.now();
    const got = await this.scripts.acquire(...this.keys(destination), holder, Math.max(1, cap), now, now + this.leaseMs, this.queueScore(now));
    if (got === 1) {
      let holders = this.held.get(destination);
      if (!holders) this.held.set(destination, (holders = new Set()));
      holders.add(holder);
      return 'acquired';
    }
    await this.announce(destination);
    return 'queued';
  }

  /** Marks the destination as having deliveries queued, for the sweep (once a sweep period per destination). */
  private async announce(destination: string): Promise<void> {
    const now = Date.now();
    if ((this.announced.get(destination) ?? 0) > now) return;
    await this.redis.sadd(this.queuedKey, destination);
    this.announced.set(destination, now + this.sweepEveryMs);
  }

  /** FIFO order in the waiting list: microseconds of the clock, plus a counter within the same millisecond. */
  private queueScore(now: number): string {
    this.seq = (this.seq + 1) % 1000;
    return String(now * 1000 + this.seq);
  }

  async admit(destination: string, holders: string[], cap: number): Promise<string[]> {
    const now = Date.now();
    return (await this.scripts.admit(...this.keys(destination), Math.max(1, cap), now, now + this.reserveMs, ...holders)) as string[];
  }

  async hold(destination: string, holders: string[], cap: number): Promise<string[]> {
    const now = Date.now();
    const pairs = holders.flatMap((holder) => [this.queueScore(now), holder]);
    const admitted = (await this.scripts.hold(...this.keys(destination), Math.max(1, cap), now, now + this.reserveMs, ...pairs)) as string[];
    if (admitted.length < holders.length) await this.announce(destination);
    return admitted;
  }

  async release(destination: string, holder: string): Promise<void> {
    const holders = this.held.get(destination);
    if (holders?.delete(holder) && holders.size === 0) this.held.delete(destination);
    await this.pump(destination, holder);
  }

  async waiting(destination: string): Promise<number> {
    return this.redis.zcard(`${destinationTag(this.options.prefix, destination)}:waiting`);
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private keys(destination: string): string[] {
    const tag = destinationTag(this.options.prefix, destination);
    return [`${tag}:slots`, `${tag}:waiting`, `${tag}:handed`, `${tag}:cap`];
  }

  /** Hands free slots on and wakes who got them. Returns what is left waiting and in flight. */
  private async pump(destination: string, holder = ''): Promise<{ waiting: number; inUse: number }> {
    const now = Date.now();
    const [handed, waiting, inUse] = (await this.scripts.pump(...this.keys(destination), holder, now, now + this.reserveMs)) as [string[], number, number];
    if (handed.length > 0) this.waker?.(destination, handed);
    return { waiting, inUse };
  }

  /** Keeps this instance's slots alive while their requests run. */
  private async renew(): Promise<void> {
    const until = Date.now() + this.leaseMs;
    await Promise.all(
      [...this.held].map(async ([destination, holders]) => {
        const members = [...holders].flatMap((holder) => [until, holder]);
        if (members.length === 0) return;
        try {
          await this.redis.zadd(this.keys(destination)[0], 'XX', ...members);
        } catch {
          // Redis is down: the outage is logged by the transport; the slots expire and are handed on later.
        }
      }),
    );
  }

  /** Every destination with deliveries queued: slots of a dead instance expire and go to the next in line. */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const destinations = await this.redis.smembers(this.queuedKey);
      for (const destination of destinations) {
        const { waiting, inUse } = await this.pump(destination);
        // Idle: nothing waits and nothing runs (a delivery queued later adds it again).
        if (waiting === 0 && inUse === 0) {
          await this.redis.srem(this.queuedKey, destination);
          this.announced.delete(destination);
        }
      }
    } catch (error) {
      this.logger.debug('destination slots not swept; next sweep retries', { error: (error as Error).message });
    } finally {
      this.sweeping = false;
    }
  }
}
