/** What a delivery got when it asked for one of its destination's request slots. */
export type LeaseOutcome =
  /** It holds a slot (a fresh one, or one handed to it while it waited): send the request, then release. */
  | 'acquired'
  /** The destination is at its cap: the delivery is queued in the destination's waiting list, and is handed a slot (and woken) when one frees. */
  | 'queued';

/** Wakes deliveries that were handed a slot while they waited (a durable transport promotes their jobs). */
export type LeaseWaker = (destination: string, holders: string[]) => void;

/**
 * A destination's request slots shared by every instance (the bullmq transport keeps them in Redis), with
 * a FIFO waiting list per destination. A freed slot is handed to the first waiting delivery, never left
 * for whichever instance asks next, so a backlog waits in one list instead of cycling through the worker.
 * A slot whose instance died expires; a slot handed to a delivery that never came is handed again.
 */
export interface DestinationLeases {
  /** Takes one of the destination's `cap` slots for `holder` (a delivery id), or queues it. */
  acquire(destination: string, holder: string, cap: number): Promise<LeaseOutcome>;
  /**
   * At publish: reserves a slot for each holder while the destination has free slots and nobody waits
   * (those run as usual); returns them. The others are to be held back and {@link hold}-queued.
   */
  admit(destination: string, holders: string[], cap: number): Promise<string[]>;
  /**
   * Queues held-back holders (their jobs already wait, delayed) in the destination's waiting list, except
   * those that find a free slot and nobody waiting: reserved for them, and returned (to be run now).
   */
  hold(destination: string, holders: string[], cap: number): Promise<string[]>;
  /** Gives the holder's slot back (or its place in the waiting list); the slot goes to the next waiting, who is woken. */
  release(destination: string, holder: string): Promise<void>;
  /** Deliveries queued for the destination. */
  waiting(destination: string): Promise<number>;
  /** Who is woken when a slot is handed over. */
  setWaker(waker: LeaseWaker): void;
  /** Stops the timers (renewals of held slots, the sweep of expired ones). */
  close(): void;
}
