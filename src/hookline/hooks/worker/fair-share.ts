import type { CpuBudget } from '../host/sandbox.types';

/** An invocation waiting for its turn to start. */
export interface FairShareJob {
  id: number;
  tenant: string;
  hookId: string;
  budget: CpuBudget;
  /** Starts it; the scheduler counts it as starting until `release(tenant, ms)`. */
  start(): void;
}

/** A tenant over its budget was passed over for another tenant's hook (reported once per tenant per window). */
export interface Throttle {
  tenant: string;
  hookId: string;
  usedMs: number;
  budget: CpuBudget;
}

/**
 * A tenant whose hooks start quickly may have several starting at once (up to PIPELINE_MAX), as many as
 * fit in PIPELINE_MS at its recent pace: a later one then waits at most that long in its isolate, its
 * timeout running. Hooks that run long start one at a time.
 */
export const PIPELINE_MS = 50;
const PIPELINE_MAX = 16;
/**
 * A tenant whose recent starts took less than this needs no slot: slots bound the tenants computing at
 * length at once, and a quick hook never holds one back (nor waits for one).
 */
const QUICK_MS = 20;
/**
 * Charges within 1/WINDOW_SLICES of the budget's window share one entry, so a tenant's usage is a few dozen
 * entries however many hooks it runs (one entry per charge grew to tens of thousands at thousands of hooks
 * per second, and dropping the oldest from an array that large copies it). An entry leaves the window when
 * its first charge does: the window is exact to within 1/WINDOW_SLICES of it.
 */
const WINDOW_SLICES = 20;

interface Lane {
  queue: FairShareJob[];
  /** Its invocations in their start (load, then the synchronous run of the hook). */
  starting: number;
  /** How long its recent starts took, in ms (a moving average); unknown until one is over. */
  startMs?: number;
  /** Its starts hold one of the worker's slots. */
  slotted: boolean;
  budget: CpuBudget;
  /** CPU charged, oldest first: [when its first charge was, ms], one entry per slice of the window (see WINDOW_SLICES). */
  usage: Array<[number, number]>;
  usedMs: number;
  throttledAt: number;
  /** When it last started one (a sequence number): the tenant served longest ago goes first. */
  turn: number;
}

/**
 * Who starts next in a sandbox worker: round-robin across tenants, not first come first served. A tenant
 * whose hooks run long starts one invocation at a time (its isolate runs one thing at a time anyway: a
 * second would only wait there, its timeout running), and at most `slots` such tenants start at once;
 * quick hooks need no slot. A tenant past its CPU budget over the sliding window goes after every tenant
 * within its budget that is waiting; with none waiting it goes at once (work-conserving). Waiting happens
 * here, before an invocation's timeout starts.
 */
export class FairShare {
  private readonly lanes = new Map<string, Lane>();
  /** Tenants with invocations waiting. */
  private readonly waiting = new Set<string>();
  private startingCount = 0;
  private turns = 0;

  constructor(
    private readonly slots: number,
    private readonly onThrottle: (throttle: Throttle) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(slots) || slots < 1) throw new TypeError(`FairShare: slots must be a positive integer, received ${slots}`);
  }

  /** Starts the job now if its turn is free; otherwise it waits. Answers whether it started. */
  submit(job: FairShareJob): boolean {
    const lane = this.lane(job.tenant);
    lane.budget = job.budget;
    lane.queue.push(job);
    this.waiting.add(job.tenant);
    this.pump();
    return !lane.queue.includes(job);
  }

  /** One of the tenant's starting invocations got through its start, which took `ms`: the next one may go. */
  release(tenant: string, ms: number): void {
    const lane = this.lanes.get(tenant);
    if (!lane?.starting) return;
    lane.startMs = lane.startMs === undefined ? ms : (lane.startMs + ms) / 2;
    if (--lane.starting === 0 && lane.slotted) {
      lane.slotted = false;
      this.startingCount--;
    }
    this.pump();
    this.dropIfIdle(tenant, lane);
  }

  /** Counts CPU the tenant's isolate used. */
  charge(tenant: string, cpuMs: number): void {
    if (!(cpuMs > 0)) return;
    const lane = this.lane(tenant);
    const at = this.now();
    const last = lane.usage[lane.usage.length - 1];
    if (last && at - last[0] < lane.budget.windowMs / WINDOW_SLICES) last[1] += cpuMs;
    else lane.usage.push([at, cpuMs]);
    lane.usedMs += cpuMs;
    this.dropIfIdle(tenant, lane);
  }

  /** Removes a waiting job (a cancelled delivery). Answers whether it was waiting. */
  cancel(id: number): boolean {
    for (const [tenant, lane] of this.lanes) {
      const index = lane.queue.findIndex((j) => j.id === id);
      if (index < 0) continue;
      lane.queue.splice(index, 1);
      if (lane.queue.length === 0) this.waiting.delete(tenant);
      this.dropIfIdle(tenant, lane);
      return true;
    }
    return false;
  }

  /** CPU the tenant used within its window, in ms. */
  usedMs(tenant: string): number {
    const lane = this.lanes.get(tenant);
    if (!lane) return 0;
    this.expire(lane);
    return lane.usedMs;
  }

  /** Forgets tenants idle for a whole window (run now and then: thousands of tenants cost nothing idle). */
  sweep(): void {
    for (const [tenant, lane] of [...this.lanes]) this.dropIfIdle(tenant, lane);
  }

  get waitingCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  private pump(): void {
    for (;;) {
      const next = this.pick(this.startingCount < this.slots);
      if (!next) return;
      const lane = this.lanes.get(next)!;
      const job = lane.queue.shift()!;
      if (lane.queue.length === 0) this.waiting.delete(next);
      // Its turn is used: it goes to the back of the round.
      lane.turn = ++this.turns;
      if (lane.starting++ === 0 && needsSlot(lane)) {
        lane.slotted = true;
        this.startingCount++;
      }
      job.start();
    }
  }

  /**
   * The next tenant in the round (the one served longest ago) that may start, preferring those within
   * their budget. Tenants past their budget that could have started, but wait for it, are throttled.
   */
  private pick(slotFree: boolean): string | undefined {
    let within: [string, Lane] | undefined;
    const over: Array<[string, Lane]> = [];
    for (const tenant of this.waiting) {
      const lane = this.lanes.get(tenant)!;
      // A tenant not starting takes a slot (unless its hooks are quick); one already starting may add to its pipeline.
      if (lane.starting === 0 ? !slotFree && needsSlot(lane) : lane.starting >= depth(lane)) continue;
      if (this.overBudget(lane)) over.push([tenant, lane]);
      else if (!within || lane.turn < within[1].turn) within = [tenant, lane];
    }
    if (within) {
      for (const [tenant] of over) this.throttled(tenant);
      return within[0];
    }
    return over.reduce<[string, Lane] | undefined>((first, o) => (!first || o[1].turn < first[1].turn ? o : first), undefined)?.[0];
  }

  private throttled(tenant: string): void {
    const lane = this.lanes.get(tenant)!;
    const at = this.now();
    if (at - lane.throttledAt < lane.budget.windowMs) return;
    lane.throttledAt = at;
    this.onThrottle({ tenant, hookId: lane.queue[0]?.hookId ?? '', usedMs: Math.round(lane.usedMs), budget: { ...lane.budget } });
  }

  private overBudget(lane: Lane): boolean {
    this.expire(lane);
    return lane.usedMs > lane.budget.cpuMs;
  }

  private expire(lane: Lane): void {
    const since = this.now() - lane.budget.windowMs;
    while (lane.usage.length > 0 && lane.usage[0][0] <= since) lane.usedMs -= lane.usage.shift()![1];
    if (lane.usage.length === 0) lane.usedMs = 0;
  }

  private lane(tenant: string): Lane {
    let lane = this.lanes.get(tenant);
    if (!lane) {
      lane = { queue: [], starting: 0, slotted: false, budget: { cpuMs: Infinity, windowMs: 0 }, usage: [], usedMs: 0, throttledAt: Number.NEGATIVE_INFINITY, turn: 0 };
      this.lanes.set(tenant, lane);
    }
    return lane;
  }

  /** A tenant with nothing waiting, nothing starting and no CPU left in its window costs nothing. */
  private dropIfIdle(tenant: string, lane: Lane): void {
    if (lane.queue.length > 0 || lane.starting) return;
    this.expire(lane);
    if (lane.usage.length === 0 && this.now() - lane.throttledAt >= lane.budget.windowMs) this.lanes.delete(tenant);
  }
}

/** How many of a tenant's invocations may be starting at once, by how long its recent starts took. */
function depth(lane: Lane): number {
  if (lane.startMs === undefined) return 1;
  return Math.max(1, Math.min(PIPELINE_MAX, Math.floor(PIPELINE_MS / Math.max(lane.startMs, 0.01))));
}

function needsSlot(lane: Lane): boolean {
  return lane.startMs === undefined || lane.startMs >= QUICK_MS;
}
