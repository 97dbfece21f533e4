import type { Cluster, Redis } from 'ioredis';

export type RedisScript = (...keysThenArgs: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script called by its SHA (`EVALSHA`; ioredis sends it whole once, and again only if Redis
 * answers `NOSCRIPT`), not sent with every call as `EVAL` would: for the scripts run on every delivery.
 * Defined once per client under `name`.
 */
export function defineScript(redis: Redis | Cluster, name: string, lua: string, numberOfKeys: number): RedisScript {
  const client = redis as unknown as Record<string, RedisScript | undefined>;
  if (typeof client[name] !== 'function') redis.defineCommand(name, { lua, numberOfKeys });
  const command = client[name]!;
  return (...keysThenArgs) => command.apply(redis, keysThenArgs);
}
