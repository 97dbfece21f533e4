import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { maxInSlidingWindow } from '../fakes/fake-server';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Header names and values as sent, in order (a header sent twice appears twice). */
  rawHeaders: string[];
  body: string;
  at: number;
  /** Standard Webhooks `webhook-id` (the delivery id), or '' when absent. */
  deliveryId: string;
  /** `data.id` of a JSON body (the event id of a signed webhook), or '' when absent. */
  eventId: string;
  /** Set once the answer is fully written; stays undefined when the sender went away first. */
  answeredAt?: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (a slow or hanging endpoint). */
  delayMs?: number;
}

export interface ReceiverOptions {
  /** A certificate and its key (PEM): an HTTPS receiver. */
  tls?: { cert: string; key: string };
  /** The answer to a request the script does not cover (default: 200 `ok`). */
  answer?: (request: ReceivedRequest) => ScriptedResponse;
}

/**
 * The tests' one HTTP receiver: a real server on 127.0.0.1 (HTTPS when given a certificate) that records
 * every request (even one whose sender goes away before the answer) and answers from a script: each
 * request takes the next scripted response, then what `answer` says once the script is used up
 * (`fallback` by default). A test may change `answer` at any time.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private script: ScriptedResponse[] = [];
  private wakers: Array<() => void> = [];
  private server?: Server;
  private readonly tls?: { cert: string; key: string };
  private readonly timers = new Set<NodeJS.Timeout>();
  fallback: ScriptedResponse = { status: 200, body: 'ok' };
  /** The answer to a request the script does not cover. */
  answer: (request: ReceivedRequest) => ScriptedResponse = () => this.fallback;

  private constructor(options: ReceiverOptions) {
    this.tls = options.tls;
    if (options.answer) this.answer = options.answer;
  }

  static async start(options: ReceiverOptions = {}): Promise<Receiver> {
    const receiver = new Receiver(options);
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Forgets the requests received so far. */
  reset(): void {
    this.requests.length = 0;
  }

  /** Queues responses for the next requests. */
  respond(...responses: ScriptedResponse[]): this {
    this.script.push(...responses);
    return this;
  }

  /** Resolves with the requests once `count` have arrived. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    await this.until(() => this.requests.length >= count, timeoutMs, `${count} requests`);
    return this.requests;
  }

  /** Resolves once `condition` holds (checked at every request), or rejects after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what} (${this.requests.length} requests so far)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.wakers.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Distinct delivery ids received. */
  distinct(): Set<string> {
    return new Set(this.requests.map((r) => r.deliveryId));
  }

  /** How many times each delivery id arrived. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) counts.set(r.deliveryId, (counts.get(r.deliveryId) ?? 0) + 1);
    return counts;
  }

  /** The most requests seen in any window of `windowMs` (sliding). */
  maxInWindow(windowMs: number): number {
    return maxInSlidingWindow(this.requests.map((r) => r.at), windowMs);
  }

  async close(): Promise<void> {
    this.timers.forEach(clearTimeout);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async listen(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.receive(req, res);
    this.server = this.tls ? createHttpsServer({ cert: this.tls.cert, key: this.tls.key }, handler) : createServer(handler);
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const webhookId = req.headers['webhook-id'];
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
        at: Date.now(),
        deliveryId: typeof webhookId === 'string' ? webhookId : '',
        eventId: eventIdOf(body),
      };
      this.requests.push(request);
      for (const wake of this.wakers.splice(0)) wake();
      const answer = this.script.shift() ?? this.answer(request);
      const send = () => {
        if (res.destroyed) return;
        res.on('finish', () => (request.answeredAt = Date.now()));
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      };
      if (!answer.delayMs) return send();
      const timer = setTimeout(() => (this.timers.delete(timer), send()), answer.delayMs);
      this.timers.add(timer);
    });
  }
}

function eventIdOf(body: string): string {
  try {
    const id = (JSON.parse(body) as { data?: { id?: unknown } } | null)?.data?.id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}
