import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Fault injection shared by the fakes. Every switch is plain data, set between (or during) tests:
 * - `downFor(ms)`: every connection is reset (a network error) for `ms` from the next request on (counted from
 *   that request, so a slow start of the app under test never uses up the outage before anything is sent).
 * - `unavailableFor(ms, status = 503)`: answer `status` until then.
 * - `slow(ms)`: every answer comes `ms` late (so a client timeout fires).
 * - `errorRate(rate, status = 500)`: that fraction of requests answers `status` (a seeded PRNG: repeatable).
 * - `failNext(n, reply)`: the next `n` requests get `reply` as is.
 */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export abstract class FakeServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private downUntil = 0;
  private downNextMs = 0;
  private unavailable = { until: 0, status: 503 };
  private delayMs = 0;
  private failures = { rate: 0, status: 500 };
  private scripted: Reply[] = [];
  private seed = 42;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.receive(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  downFor(ms: number): this {
    this.downNextMs = ms;
    return this;
  }
  unavailableFor(ms: number, status = 503): this {
    this.unavailable = { until: Date.now() + ms, status };
    return this;
  }
  slow(ms: number): this {
    this.delayMs = ms;
    return this;
  }
  errorRate(rate: number, status = 500): this {
    this.failures = { rate, status };
    return this;
  }
  failNext(n: number, reply: Reply): this {
    for (let i = 0; i < n; i++) this.scripted.push(reply);
    return this;
  }
  /** Clears every fault switch (not the data or the request log). */
  heal(): this {
    this.downUntil = 0;
    this.downNextMs = 0;
    this.unavailable = { until: 0, status: 503 };
    this.delayMs = 0;
    this.failures = { rate: 0, status: 500 };
    this.scripted = [];
    return this;
  }

  /** Answers a request that passed the fault switches. */
  protected abstract handle(req: IncomingMessage, body: string): Reply | Promise<Reply>;
  /** Called for every request with how it was answered (the fakes keep a request log). */
  protected abstract record(req: IncomingMessage, body: string, reply: Reply | 'reset'): void;
  /** The body an injected failure answers with (Slack and HubSpot word them differently). */
  protected abstract failureBody(status: number): unknown;

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.downNextMs > 0) {
      this.downUntil = Date.now() + this.downNextMs;
      this.downNextMs = 0;
    }
    if (Date.now() < this.downUntil) {
      this.record(req, body, 'reset');
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    if (this.scripted.length > 0) reply = this.scripted.shift()!;
    else if (Date.now() < this.unavailable.until) reply = { status: this.unavailable.status, body: this.failureBody(this.unavailable.status) };
    else if (this.failures.rate > 0 && this.random() < this.failures.rate) {
      reply = { status: this.failures.status, body: this.failureBody(this.failures.status) };
    } else reply = await this.handle(req, body);
    this.record(req, body, reply);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (res.destroyed) return;
    const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    const type = typeof reply.body === 'string' || reply.body === undefined ? 'text/plain' : 'application/json;charset=utf-8';
    res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
    res.end(text);
  }

  /** mulberry32: failures at a rate are random-looking but repeatable. */
  private random(): number {
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The largest number of timestamps inside any window of `windowMs` (a sliding window). */
export function maxInSlidingWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}
