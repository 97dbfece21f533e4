import { Receiver, type ScriptedResponse } from '../receiver';

export type { ReceivedRequest } from '../receiver';

/**
 * The receiver of the compatibility tests: the tests' Receiver answering by path. `/status/NNN…` answers
 * NNN with a JSON error; `/slack…` answers `ok`; `/graphql` answers a GraphQL result; `/slow…` waits 1 s;
 * anything else 200 `{"ok":true,"id":"abc"}`.
 */
export class HttpReceiver extends Receiver {
  constructor(tls?: { cert: string; key: string }) {
    super(tls);
    this.answer = ({ path }) => answerByPath(path);
  }

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  stop(): Promise<void> {
    return this.close();
  }

  override waitFor(count: number, timeoutMs = 3_000) {
    return super.waitFor(count, timeoutMs);
  }
}

function answerByPath(path: string): ScriptedResponse {
  const status = /^\/status\/(\d{3})/.exec(path);
  if (status) return { status: Number(status[1]), headers: { 'content-type': 'application/json' }, body: '{"error":"boom"}' };
  if (path.startsWith('/slack')) return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  if (path.startsWith('/graphql')) return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":{"createUser":{"id":"42"}}}' };
  const ok: ScriptedResponse = { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' }, body: '{"ok":true,"id":"abc"}' };
  return path.startsWith('/slow') ? { ...ok, delayMs: 1_000 } : ok;
}
