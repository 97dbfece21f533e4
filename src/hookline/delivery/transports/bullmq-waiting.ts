import type { Cluster, Redis } from 'ioredis';
import type { DeliveryQueue } from './bullmq.queue';
import { defineScript } from './redis-script';

/**
 * Counts waiting jobs (wait, paused, prioritized, delayed) by name, which is the consumer id, reading at
 * most `max` of them: the rest is returned as a count whose consumer is unknown. Read-only; one round trip.
 */
const COUNT_WAITING = `
local counts = {}
local seen = 0
local max = tonumber(ARGV[2])
local function count(ids)
  for _, id in ipairs(ids) do
    if seen >= max then return end
    seen = seen + 1
    local name = redis.call('HGET', ARGV[1] .. id, 'name') or ''
    counts[name] = (counts[name] or 0) + 1
  end
end
count(redis.call('LRANGE', KEYS[1], 0, max - 1))
count(redis.call('LRANGE', KEYS[2], 0, max - 1))
count(redis.call('ZRANGE', KEYS[3], 0, max - 1))
count(redis.call('ZRANGE', KEYS[4], 0, max - 1))
local total = redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2]) + redis.call('ZCARD', KEYS[3]) + redis.call('ZCARD', KEYS[4])
local out = { tostring(total - seen) }
for name, n in pairs(counts) do
  table.insert(out, name)
  table.insert(out, tostring(n))
end
return out
`;

/** Jobs whose consumer is read at each collection; a larger backlog counts its rest as consumer `unknown`. */
export const MAX_WAITING_READ = 10_000;

/** Waiting deliveries of the whole queue (every instance's), per consumer id. */
export async function countWaiting(redis: Redis | Cluster, queue: DeliveryQueue, max = MAX_WAITING_READ): Promise<Array<{ consumerId: string; count: number }>> {
  const { keys } = queue;
  const countScript = defineScript(redis, 'hooklineCountWaiting', COUNT_WAITING, 4);
  const out = (await countScript(keys.wait, keys.paused, keys.prioritized, keys.delayed, queue.toKey(''), max)) as string[];
  const counts = [];
  const rest = Number(out[0]);
  if (rest > 0) counts.push({ consumerId: 'unknown', count: rest });
  for (let i = 1; i + 1 < out.length; i += 2) counts.push({ consumerId: out[i], count: Number(out[i + 1]) });
  return counts;
}
