import type { ScriptedResponse } from '../receiver';

/**
 * How the compatibility tests' receiver answers, by path: `/status/NNN…` answers NNN with a JSON error;
 * `/slack…` answers `ok`; `/graphql` answers a GraphQL result; `/slow…` waits 1 s;
 * `/supabase/rest/v1/…`, `/oauth/token`, `/api/v2/users/auth0%7C…`, `/sns/` and `/xml/…` answer as those APIs do; anything else
 * 200 `{"ok":true,"id":"abc"}`.
 */
export function compatAnswer({ path }: { path: string }): ScriptedResponse {
  const status = /^\/status\/(\d{3})/.exec(path);
  if (status) return { status: Number(status[1]), headers: { 'content-type': 'application/json' }, body: '{"error":"boom"}' };
  if (path.startsWith('/slack')) return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  // Vendor APIs of the corpus, answering as they document: PostgREST (201, the inserted rows), an OAuth
  // token endpoint, the Auth0 Management API, an XML service.
  if (path.startsWith('/supabase/rest/v1/')) return { status: 201, headers: { 'content-type': 'application/json' }, body: '[{"id":"u-1001"}]' };
  if (path === '/oauth/token') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"access_token":"mgmt-token-1","token_type":"Bearer","expires_in":86400}' };
  if (path.startsWith('/api/v2/users/auth0%7C')) return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"user_id":"auth0|u-1001","app_metadata":{"crm_synced":true}}' };
  if (path === '/sns/') return { status: 200, headers: { 'content-type': 'text/xml' }, body: '<PublishResponse><PublishResult><MessageId>msg-123</MessageId></PublishResult></PublishResponse>' };
  if (path.startsWith('/xml/')) return { status: 200, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><Result><Id>42</Id></Result>' };
  if (path.startsWith('/graphql')) return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":{"createUser":{"id":"42"}}}' };
  const ok: ScriptedResponse = { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' }, body: '{"ok":true,"id":"abc"}' };
  return path.startsWith('/slow') ? { ...ok, delayMs: 1_000 } : ok;
}
