/**
 * Counts requests in flight, not deliveries: a single delivery takes one slot while its request runs, a
 * batch takes one slot for its whole request, and a delivery waiting for its batch or its rate-limit turn
 * takes none. So a batch can hold more deliveries than there are slots.
 */
export class RequestSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`concurrency must be at least 1, received ${size}`);
  }

  /** Resolves with a release function once a slot is free. */
  async acquire(): Promise<() => void> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // The slot passes on: `running` stays the same.
      else this.running--;
    };
  }

  get inUse(): number {
    return this.running;
  }
}
