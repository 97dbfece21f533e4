import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (a slow or hanging endpoint). */
  delayMs?: number;
}

/**
 * The tests' one HTTP receiver: a real server on 127.0.0.1 (HTTPS when given a certificate) that records
 * every request and answers from a script: each request takes the next scripted response, then what
 * `answer` says once the script is used up (`fallback` by default).
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private script: ScriptedResponse[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  fallback: ScriptedResponse = { status: 200, body: 'ok' };
  /** The answer to a request the script does not cover. */
  answer: (request: ReceivedRequest) => ScriptedResponse = () => this.fallback;

  /** With `tls` (a certificate and its key, PEM), an HTTPS receiver. */
  constructor(private readonly tls?: { cert: string; key: string }) {}

  static async start(tls?: { cert: string; key: string }): Promise<Receiver> {
    const receiver = new Receiver(tls);
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
  waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve(this.requests);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver got ${this.requests.length} of ${count} requests in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(this.requests)) });
    });
  }

  async close(): Promise<void> {
    this.timers.forEach(clearTimeout);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected listen(): Promise<void> {
    this.server = (this.tls ? createHttpsServer.bind(null, { cert: this.tls.cert, key: this.tls.key }) : createServer)((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.requests.push(request);
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
        const answer = this.script.shift() ?? this.answer(request);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
          res.end(answer.body ?? '');
        };
        if (!answer.delayMs) return send();
        const timer = setTimeout(() => (this.timers.delete(timer), send()), answer.delayMs);
        this.timers.add(timer);
      });
    });
    return new Promise((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }
}
