/** What a request asks the slots for: whose it is, where it goes, and the limits that apply. */
export interface SlotRequest {
  tenant: string;
  /** The destination key, tenant included (two tenants never share a lane). */
  destination: string;
  /** Requests in flight to this destination at most (the lowest of its consumers' `maxInFlight`). */
  maxInFlight: number;
  /** Slots of this instance the tenant may hold at most. */
  tenantMaxSlots: number;
  /** Slots handed to the tenant in a row when its turn comes (weighted round-robin). */
  weight: number;
}

export type ReleaseSlot = () => void;

interface Waiter {
  resolve(release: ReleaseSlot): void;
  reject(error: unknown): void;
}

interface Lane {
  key: string;
  tenant: TenantLanes;
  inFlight: number;
  maxInFlight: number;
  waiting: Waiter[];
  head: number;
}

interface TenantLanes {
  id: string;
  inFlight: number;
  maxSlots: number;
  weight: number;
  lanes: Map<string, Lane>;
  /** Lanes in their round-robin order; `cursor` is the next to serve. */
  order: Lane[];
  cursor: number;
}

/**
 * Request slots handed out fairly. Counts requests in flight, not deliveries (a batch takes one slot, a
 * delivery waiting for its batch or its rate-limit turn takes none). Waiting requests queue in lanes per
 * (tenant, destination); a free slot goes round-robin across tenants (a tenant with weight w takes up to
 * w in a row), then across that tenant's destinations. A destination never has more than its
 * `maxInFlight` in flight and a tenant never more than its `tenantMaxSlots`, so one tenant's slow
 * destination delays only the deliveries queued behind it, in its own lane.
 */
export class FairSlots {
  private inUse = 0;
  private readonly tenants = new Map<string, TenantLanes>();
  private readonly order: TenantLanes[] = [];
  private cursor = 0;
  /** Slots the tenant at `cursor` may still take before the turn passes. */
  private credit = 0;
  private closedWith?: unknown;

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`concurrency must be at least 1, received ${size}`);
  }

  /** Resolves with a release function once a slot is granted; rejects once `close` was called. */
  acquire(request: SlotRequest): Promise<ReleaseSlot> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const lane = this.laneFor(request);
    return new Promise<ReleaseSlot>((resolve, reject) => {
      lane.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /**
   * True when a request to this destination would wait for the destination itself (its cap is reached,
   * or others already wait for it). A durable transport then parks the delivery instead of holding it.
   */
  destinationBusy(destination: string, tenant: string, maxInFlight: number): boolean {
    const lane = this.tenants.get(tenant)?.lanes.get(destination);
    if (!lane) return false;
    return lane.inFlight + this.waitingIn(lane) >= maxInFlight;
  }

  /** Requests waiting for this destination on this instance. */
  waitingFor(destination: string, tenant: string): number {
    const lane = this.tenants.get(tenant)?.lanes.get(destination);
    return lane ? this.waitingIn(lane) : 0;
  }

  get inFlight(): number {
    return this.inUse;
  }

  /** Rejects every waiting request with `error`, and any later one. Slots in use are released as usual. */
  close(error: unknown): void {
    this.closedWith = error;
    for (const tenant of this.tenants.values()) {
      for (const lane of tenant.lanes.values()) {
        const waiting = lane.waiting.slice(lane.head);
        lane.waiting = [];
        lane.head = 0;
        waiting.forEach((w) => w.reject(error));
      }
    }
  }

  private waitingIn(lane: Lane): number {
    return lane.waiting.length - lane.head;
  }

  private laneFor(request: SlotRequest): Lane {
    let tenant = this.tenants.get(request.tenant);
    if (!tenant) {
      tenant = { id: request.tenant, inFlight: 0, maxSlots: 1, weight: 1, lanes: new Map(), order: [], cursor: 0 };
      this.tenants.set(request.tenant, tenant);
      this.order.push(tenant);
    }
    // The latest settings win: a config reload applies to what waits.
    tenant.maxSlots = Math.max(1, request.tenantMaxSlots);
    tenant.weight = Math.max(1, request.weight);
    let lane = tenant.lanes.get(request.destination);
    if (!lane) {
      lane = { key: request.destination, tenant, inFlight: 0, maxInFlight: 1, waiting: [], head: 0 };
      tenant.lanes.set(request.destination, lane);
      tenant.order.push(lane);
    }
    lane.maxInFlight = Math.max(1, request.maxInFlight);
    return lane;
  }

  /** Hands free slots out while some waiting request may take one. */
  private pump(): void {
    while (this.inUse < this.size) {
      const lane = this.nextLane();
      if (!lane) return;
      const waiter = lane.waiting[lane.head++];
      if (lane.head > 1024 && lane.head * 2 > lane.waiting.length) {
        lane.waiting = lane.waiting.slice(lane.head);
        lane.head = 0;
      }
      lane.inFlight++;
      lane.tenant.inFlight++;
      this.inUse++;
      waiter.resolve(this.releaser(lane));
    }
  }

  /** The next lane to serve, in weighted round-robin order of tenants, then round-robin of their lanes. */
  private nextLane(): Lane | undefined {
    for (let visited = 0; visited <= this.order.length && this.order.length > 0; visited++) {
      if (this.cursor >= this.order.length) this.cursor = 0;
      const tenant = this.order[this.cursor];
      const lane = tenant.inFlight < tenant.maxSlots && this.credit > 0 ? this.laneOf(tenant) : undefined;
      if (lane) {
        if (--this.credit <= 0) this.advance();
        return lane;
      }
      this.advance();
      // The tenant now at the cursor gets its full weight, checked on the next turn of the loop.
    }
    return undefined;
  }

  private advance(): void {
    this.cursor++;
    if (this.cursor >= this.order.length) this.cursor = 0;
    this.credit = this.order[this.cursor]?.weight ?? 1;
  }

  private laneOf(tenant: TenantLanes): Lane | undefined {
    const n = tenant.order.length;
    for (let i = 0; i < n; i++) {
      const at = (tenant.cursor + i) % n;
      const lane = tenant.order[at];
      if (this.waitingIn(lane) > 0 && lane.inFlight < lane.maxInFlight) {
        tenant.cursor = (at + 1) % n;
        return lane;
      }
    }
    return undefined;
  }

  private releaser(lane: Lane): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.inFlight--;
      lane.tenant.inFlight--;
      this.inUse--;
      this.forgetIfIdle(lane);
      this.pump();
    };
  }

  /** Lanes and tenants with nothing waiting and nothing in flight are dropped: thousands of tenants cost nothing idle. */
  private forgetIfIdle(lane: Lane): void {
    if (lane.inFlight > 0 || this.waitingIn(lane) > 0) return;
    const tenant = lane.tenant;
    tenant.lanes.delete(lane.key);
    const laneAt = tenant.order.indexOf(lane);
    if (laneAt >= 0) tenant.order.splice(laneAt, 1);
    if (laneAt >= 0 && laneAt < tenant.cursor) tenant.cursor--;
    if (tenant.cursor >= tenant.order.length) tenant.cursor = 0;
    if (tenant.lanes.size > 0 || tenant.inFlight > 0) return;
    this.tenants.delete(tenant.id);
    const at = this.order.indexOf(tenant);
    if (at < 0) return;
    this.order.splice(at, 1);
    if (at < this.cursor) this.cursor--;
    else if (at === this.cursor) this.credit = this.order[this.cursor]?.weight ?? 1;
    if (this.cursor >= this.order.length) this.cursor = 0;
  }
}
