import type { ScriptedResponse } from '../receiver';

/**
 * How the compatibility tests' receiver answers, by path: `/status/NNN…` answers NNN with a JSON error;
 * `/slack…` answers `ok`; `/graphql` answers a GraphQL result; `/slow…` waits 1 s; anything else
 * 200 `{"ok":true,"id":"abc"}`.
 */
export function compatAnswer({ path }: { path: string }): ScriptedResponse {
  const status = /^\/status\/(\d{3})/.exec(path);
  if (status) return { status: Number(status[1]), headers: { 'content-type': 'application/json' }, body: '{"error":"boom"}' };
  if (path.startsWith('/slack')) return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  if (path.startsWith('/graphql')) return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":{"createUser":{"id":"42"}}}' };
  const ok: ScriptedResponse = { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' }, body: '{"ok":true,"id":"abc"}' };
  return path.startsWith('/slow') ? { ...ok, delayMs: 1_000 } : ok;
}
