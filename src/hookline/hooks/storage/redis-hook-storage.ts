import type { Cluster, Redis } from 'ioredis';
import { defineScript, type RedisScript } from '../../delivery/transports/redis-script';
import type { HookStorage, HookStorageCondition, HookStorageKey, HookStorageWrite, StoredHookData } from './hook-storage';

/**
 * Compare-and-set in one step: writes when the mode is `force`, or when the stored version equals the
 * expected one (`''`: nothing stored). Versions come from a counter kept in the same hash.
 */
const WRITE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[2] ~= 'force' then
  if ARGV[3] == '' then
    if current then return false end
  elseif current ~= ARGV[3] then
    return false
  end
end
local version = redis.call('HINCRBY', KEYS[1], 'sequence', 1)
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'version', tostring(version))
return tostring(version)
`;

/**
 * Hook storage in Redis (the bullmq transport's default): shared by every instance on the same Redis,
 * one hash per tenant and hook under `<prefix>:storage:`.
 */
export class RedisHookStorage implements HookStorage {
  private readonly writeScript: RedisScript;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix = 'hookline',
  ) {
    this.writeScript = defineScript(redis, 'hooklineStorageWrite', WRITE_SCRIPT, 1);
  }

  async read(key: HookStorageKey): Promise<StoredHookData | undefined> {
    const [data, version] = await this.redis.hmget(this.key(key), 'data', 'version');
    return data !== null && version !== null ? { data, version } : undefined;
  }

  async write(key: HookStorageKey, data: string, condition: HookStorageCondition): Promise<HookStorageWrite> {
    const mode = 'force' in condition ? 'force' : 'if';
    const expected = 'force' in condition ? '' : (condition.version ?? '');
    const version = (await this.writeScript(this.key(key), data, mode, expected)) as string | null;
    return version ? { written: true, version } : { written: false, conflict: true };
  }

  private key(key: HookStorageKey): string {
    // The hash tag keeps a hook's key in one slot of a cluster; the parts are encoded so none can forge another's key.
    return `${this.prefix}:storage:{${encodeURIComponent(key.tenant)}}:${encodeURIComponent(key.hook)}`;
  }
}
