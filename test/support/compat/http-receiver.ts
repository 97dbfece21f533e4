// Test helper: a real HTTP receiver on 127.0.0.1 that records every request and answers by path.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * `/status/NNN…` answers NNN with a JSON error; `/slack…` answers `ok`; `/graphql` answers a GraphQL result;
 * `/slow…` waits 300 ms; anything else 200 `{"ok":true,"id":"abc"}`.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private waiters: (() => void)[] = [];

  /** With `tls` (a certificate and its key, PEM), an HTTPS receiver. */
  constructor(private readonly tls?: { cert: string; key: string }) {}

  async start(): Promise<this> {
    const handler: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        this.waiters.splice(0).forEach((w) => w());
        const status = /^\/status\/(\d{3})/.exec(path);
        const send = () => {
          if (status) {
            res.writeHead(Number(status[1]), { 'content-type': 'application/json' }).end('{"error":"boom"}');
          } else if (path.startsWith('/slack')) {
            res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
          } else if (path.startsWith('/graphql')) {
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"createUser":{"id":"42"}}}');
          } else {
            res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1' }).end('{"ok":true,"id":"abc"}');
          }
        };
        if (path.startsWith('/slow')) setTimeout(send, 300);
        else send();
      });
    };
    this.server = this.tls ? createHttpsServer({ cert: this.tls.cert, key: this.tls.key }, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests arrived (requests a hook leaves running after cb). */
  async waitFor(count: number, timeoutMs = 3_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.requests;
  }

  reset(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
