import type { CircuitSettings } from '../../config/config.model';
import type { MaybePromise } from '../../core/util/maybe-promise';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** A destination's circuit as stored. A closed circuit with no failure is not stored at all. */
export interface CircuitRecord {
  state: CircuitState;
  /** Consecutive countable failures. */
  failures: number;
  /** When it opened (ms), null while closed. */
  openedAt: number | null;
  /** When the next probe may go (ms), null while closed. */
  nextProbeAt: number | null;
  /** The current cool-down: doubles after each failed probe, up to `maxCooldownMs`. */
  cooldownMs: number;
  /** While half open: until when the probe in flight holds its turn (ms). */
  probeUntil: number | null;
}

/** What the circuit lets a delivery do now. */
export type Admission =
  | { kind: 'go' }
  /** The one request that tests whether the destination is back. */
  | { kind: 'probe' }
  /** Open: not attempted; come back in `retryInMs`. */
  | { kind: 'wait'; retryInMs: number }
  /** Open for longer than `deadAfterMs`: dead-letter the delivery. */
  | { kind: 'dead'; openedAt: number };

/** A state change made by this call's write: the caller that sees it emits the operator event. */
export type CircuitChange = 'opened' | 'closed' | null;

export type RequestVerdict = 'success' | 'failure';

/**
 * Where circuits live: in memory (per process, inline), or in Redis (shared by every instance on the
 * bullmq transport). Each call is atomic per key, so exactly one caller sees each change.
 */
export interface CircuitStore {
  /** Once or twice per delivery: the in-memory store answers at once, Redis later. */
  admit(key: string, settings: CircuitSettings, now: number, probeLeaseMs: number): MaybePromise<Admission>;
  /** Records a request's verdict. `probe` tells whether it was the probe (only its failure re-opens). */
  record(key: string, verdict: RequestVerdict, settings: CircuitSettings, now: number, probe: boolean): MaybePromise<CircuitChange>;
  read(key: string): Promise<CircuitRecord | null>;
}

/** A closed circuit's answer, the common case: one object for every call. */
const CLOSED: { admission: Admission } = Object.freeze({ admission: Object.freeze({ kind: 'go' as const }) });

/** The transitions, shared by the memory store and mirrored by the Redis store's Lua script. */
export function admit(record: CircuitRecord | null, settings: CircuitSettings, now: number, probeLeaseMs: number): { admission: Admission; next?: CircuitRecord } {
  if (!record || record.state === 'closed') return CLOSED;
  const due = record.state === 'open' ? (record.nextProbeAt ?? now) : (record.probeUntil ?? now);
  if (now >= due) {
    return { admission: { kind: 'probe' }, next: { ...record, state: 'half_open', probeUntil: now + probeLeaseMs } };
  }
  if (record.openedAt !== null && now - record.openedAt >= settings.deadAfterMs) {
    return { admission: { kind: 'dead', openedAt: record.openedAt } };
  }
  // Back at the next probe, or when the outage has lasted deadAfterMs (then dead-lettered), whichever is first.
  const deadAt = record.openedAt === null ? Number.POSITIVE_INFINITY : record.openedAt + settings.deadAfterMs;
  return { admission: { kind: 'wait', retryInMs: Math.max(1, Math.min(due, deadAt) - now) } };
}

export function recordVerdict(
  record: CircuitRecord | null,
  verdict: RequestVerdict,
  settings: CircuitSettings,
  now: number,
  probe: boolean,
): { change: CircuitChange; next: CircuitRecord | null } {
  if (verdict === 'success') {
    // Any answer that proves the destination is up closes the circuit, the probe's or a late one's.
    return { change: record && record.state !== 'closed' ? 'closed' : null, next: null };
  }
  const current: CircuitRecord = record ?? { state: 'closed', failures: 0, openedAt: null, nextProbeAt: null, cooldownMs: settings.cooldownMs, probeUntil: null };
  const failures = current.failures + 1;
  if (current.state === 'closed') {
    if (failures < settings.failureThreshold) return { change: null, next: { ...current, failures } };
    const cooldownMs = settings.cooldownMs;
    return { change: 'opened', next: { state: 'open', failures, openedAt: now, nextProbeAt: now + cooldownMs, cooldownMs, probeUntil: null } };
  }
  if (current.state === 'half_open' && probe) {
    const cooldownMs = Math.min(current.cooldownMs * 2, settings.maxCooldownMs);
    return { change: null, next: { ...current, state: 'open', failures, nextProbeAt: now + cooldownMs, cooldownMs, probeUntil: null } };
  }
  return { change: null, next: { ...current, failures } };
}

/** Circuits of this process. */
export class MemoryCircuitStore implements CircuitStore {
  private readonly circuits = new Map<string, CircuitRecord>();

  admit(key: string, settings: CircuitSettings, now: number, probeLeaseMs: number): Admission {
    const { admission, next } = admit(this.circuits.get(key) ?? null, settings, now, probeLeaseMs);
    if (next) this.circuits.set(key, next);
    return admission;
  }

  record(key: string, verdict: RequestVerdict, settings: CircuitSettings, now: number, probe: boolean): CircuitChange {
    const { change, next } = recordVerdict(this.circuits.get(key) ?? null, verdict, settings, now, probe);
    if (next) this.circuits.set(key, next);
    else this.circuits.delete(key);
    return change;
  }

  async read(key: string): Promise<CircuitRecord | null> {
    const record = this.circuits.get(key);
    return record ? { ...record } : null;
  }
}
