import type { Cluster, Redis } from 'ioredis';
import type { CircuitSettings } from '../../config/config.model';
import {
  admit,
  recordVerdict,
  type Admission,
  type CircuitChange,
  type CircuitRecord,
  type CircuitStore,
  type RequestVerdict,
} from '../executor/circuit-breaker';
import { destinationTag } from './redis-destination-keys';
import { defineScript, type RedisScript } from './redis-script';

/**
 * Compare-and-set: writes ARGV[2] (or deletes the key for '') only if it still holds ARGV[1] ('' for
 * none). ARGV[3]: time to live (ms).
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

/** Writes that lost a race are computed again from the new state, this many times at most. */
const MAX_TRIES = 20;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Circuits shared by every instance on the bullmq transport: one key per destination
 * (`{<prefix>:dest:<hash>}:circuit`, JSON). Each transition is computed by the same functions as in
 * memory, then written with a compare-and-set script: a write made on a stale state is dropped and
 * computed again, so exactly one instance's write makes each change, and that instance emits it.
 */
export class RedisCircuitStore implements CircuitStore {
  private readonly compareAndSet: RedisScript;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    this.compareAndSet = defineScript(redis, 'hooklineCircuitCompareAndSet', COMPARE_AND_SET, 1);
  }

  admit(key: string, settings: CircuitSettings, now: number, probeLeaseMs: number): Promise<Admission> {
    return this.update(key, settings, (record) => {
      const { admission, next } = admit(record, settings, now, probeLeaseMs);
      return { result: admission, next: next === undefined ? record : next };
    });
  }

  record(key: string, verdict: RequestVerdict, settings: CircuitSettings, now: number, probe: boolean): Promise<CircuitChange> {
    return this.update(key, settings, (record) => {
      const { change, next } = recordVerdict(record, verdict, settings, now, probe);
      return { result: change, next };
    });
  }

  async read(key: string): Promise<CircuitRecord | null> {
    const raw = await this.redis.get(this.keyOf(key));
    return raw ? parse(raw) : null;
  }

  private async update<T>(key: string, settings: CircuitSettings, step: (record: CircuitRecord | null) => { result: T; next: CircuitRecord | null }): Promise<T> {
    const redisKey = this.keyOf(key);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const raw = (await this.redis.get(redisKey)) ?? '';
      const { result, next } = step(raw ? parse(raw) : null);
      const written = next ? JSON.stringify(next) : '';
      if (written === raw) return result; // nothing changes (the usual case: closed, no failure)
      const ttlMs = settings.deadAfterMs + DAY_MS;
      if ((await this.compareAndSet(redisKey, raw, written, ttlMs)) === 1) return result;
    }
    throw new Error(`circuit of ${key}: state changed under ${MAX_TRIES} concurrent writes in a row`);
  }

  private keyOf(key: string): string {
    return `${destinationTag(this.prefix, key)}:circuit`;
  }
}

function parse(raw: string): CircuitRecord {
  return JSON.parse(raw) as CircuitRecord;
}
