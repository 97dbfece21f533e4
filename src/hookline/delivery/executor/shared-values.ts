import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { SharedValue, SharedValues } from '../../connectors/sdk';
import { RetryableError } from '../../core/errors/delivery.errors';
import { defineScript, type RedisScript } from '../transports/redis-script';

/** How long a loader may hold a key's lock; a crashed instance's lock frees itself after this. */
const LOCK_MS = 15_000;
/** How often a waiting instance looks for the loader's result. */
const POLL_MS = 50;
const MAX_KEYS = 10_000;

/** Values kept in this process: one load at a time per key, reused until they are due. */
export class MemorySharedValues implements SharedValues {
  private readonly values = new Map<string, SharedValue>();
  private readonly loading = new Map<string, Promise<SharedValue>>();

  async get(key: string, load: () => Promise<SharedValue>, options: { refreshBeforeMs: number }): Promise<SharedValue> {
    const held = this.values.get(key);
    if (held && isFresh(held, options.refreshBeforeMs)) return held;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(key, load, options.refreshBeforeMs).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  async drop(key: string, value: string): Promise<void> {
    if (this.values.get(key)?.value === value) this.values.delete(key);
  }

  protected async load(key: string, load: () => Promise<SharedValue>, _refreshBeforeMs: number): Promise<SharedValue> {
    return this.remember(key, await load());
  }

  protected remember(key: string, value: SharedValue): SharedValue {
    if (!this.values.has(key) && this.values.size >= MAX_KEYS) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, value);
    return value;
  }
}

/** Deletes the lock only if this instance still owns it. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
/** Deletes the value only if it is still the one refused. */
const DROP_IF = `local v = redis.call('get', KEYS[1]) if v and cjson.decode(v).value == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * Values shared in Redis by every instance of the bullmq transport. One instance loads a due value at a
 * time (`SET lock NX PX`); the others wait for its result instead of loading their own. Each instance
 * also keeps what it read, and loads at most once at a time itself.
 */
export class RedisSharedValues extends MemorySharedValues {
  private readonly release: RedisScript;
  private readonly dropIf: RedisScript;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    super();
    this.release = defineScript(redis, 'hooklineSharedRelease', RELEASE, 1);
    this.dropIf = defineScript(redis, 'hooklineSharedDropIf', DROP_IF, 1);
  }

  override async drop(key: string, value: string): Promise<void> {
    await super.drop(key, value);
    await this.dropIf(this.valueKey(key), value);
  }

  protected override async load(key: string, load: () => Promise<SharedValue>, refreshBeforeMs: number): Promise<SharedValue> {
    const deadline = Date.now() + 2 * LOCK_MS;
    while (Date.now() < deadline) {
      const stored = await this.read(key);
      if (stored && isFresh(stored, refreshBeforeMs)) return this.remember(key, stored);
      const owner = randomBytes(12).toString('hex');
      if (await this.redis.set(this.lockKey(key), owner, 'PX', LOCK_MS, 'NX')) {
        try {
          // Another instance may have stored a fresh value between the read and the lock.
          const again = await this.read(key);
          if (again && isFresh(again, refreshBeforeMs)) return this.remember(key, again);
          const value = await load();
          const ttl = Math.floor(value.expiresAt - Date.now());
          if (ttl > 0) await this.redis.set(this.valueKey(key), JSON.stringify(value), 'PX', ttl);
          return this.remember(key, value);
        } finally {
          await this.release(this.lockKey(key), owner).catch(() => undefined);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new RetryableError(`the shared value ${key} is being loaded by another instance for too long`, { code: 'SHARED_VALUE_BUSY' });
  }

  private async read(key: string): Promise<SharedValue | undefined> {
    const text = await this.redis.get(this.valueKey(key));
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as SharedValue;
      return typeof parsed.value === 'string' && typeof parsed.expiresAt === 'number' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  private valueKey(key: string): string {
    return `${this.prefix}:v:${key}`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}:lock:${key}`;
  }
}

function isFresh(value: SharedValue, refreshBeforeMs: number): boolean {
  return value.expiresAt - refreshBeforeMs > Date.now();
}
