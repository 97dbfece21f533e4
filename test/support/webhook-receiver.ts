import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  /** Standard Webhooks `webhook-id`: the delivery id. */
  deliveryId: string;
  eventId: string;
  at: number;
  /** Set once the answer is fully written; stays undefined when the sender went away first. */
  answeredAt?: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * A webhook receiver on 127.0.0.1: records every request (even those whose sender dies mid-request)
 * and answers as `answer` says, which a test may change at any time.
 */
export class WebhookReceiver {
  readonly arrivals: Arrival[] = [];
  answer: (arrival: Arrival) => Answer = () => ({ status: 204 });
  private server?: Server;
  private waiters: (() => void)[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Distinct delivery ids received. */
  distinct(): Set<string> {
    return new Set(this.arrivals.map((a) => a.deliveryId));
  }

  /** How many times each delivery id arrived. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.arrivals) counts.set(a.deliveryId, (counts.get(a.deliveryId) ?? 0) + 1);
    return counts;
  }

  /** The most arrivals seen in any window of `windowMs` (sliding). */
  maxInWindow(windowMs: number): number {
    const times = this.arrivals.map((a) => a.at).sort((a, b) => a - b);
    let max = 0;
    for (let start = 0, end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  /** Resolves once `condition` holds (checked at every arrival), or rejects after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 200);
        this.waiters.push(() => (clearTimeout(timer), r()));
      });
    }
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const arrival: Arrival = {
      deliveryId: String(req.headers['webhook-id']),
      eventId: safeEventId(body),
      at: Date.now(),
    };
    this.arrivals.push(arrival);
    for (const wake of this.waiters.splice(0)) wake();
    const answer = this.answer(arrival);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    res.on('finish', () => (arrival.answeredAt = Date.now()));
    res.writeHead(answer.status, answer.headers).end();
  }
}

function safeEventId(body: string): string {
  try {
    return (JSON.parse(body) as { data: { id: string } }).data.id;
  } catch {
    return '';
  }
}
