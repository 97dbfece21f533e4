// The Auth0 corpus (test/auth0-corpus/) as one table: what each script must send and how it must end.
// Run by two specs: auth0-corpus.spec.ts (a bare isolate with a stand-in fetch) and
// test/auth0-corpus.e2e-spec.ts (the Runner: worker process, isolate, policy-checked fetch bridge).
import { createHash, createHmac, generateKeyPairSync, verify as verifySignature } from 'node:crypto';
import { join } from 'node:path';
import type { Receiver, ReceivedRequest } from '../receiver';

export const CORPUS_DIR = join(__dirname, '..', '..', 'auth0-corpus');

/** The sign-up every script runs on (the Runner gets it as an --event file). */
export const CORPUS_USER = {
  id: 'u-1001', tenant: 'acme', username: 'ada', email: 'ada@example.com', emailVerified: true,
  phoneNumber: '1-000-000-0000', phoneNumberVerified: true, user_metadata: { hobby: 'surfing' }, app_metadata: { plan: 'full' },
};
export const CORPUS_CONNECTION = { id: 'con_1', name: 'Username-Password-Authentication', tenant: 'acme' };

/** The RS256 key of the corpus's JWT Action (made once per test run). */
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const CORPUS_PRIVATE_KEY = RSA.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The secrets every script gets, given the receiver's URL and a URL where nothing listens. */
export function corpusSecrets(baseUrl: string, deadUrl: string): Record<string, string> {
  return {
    BASE_URL: baseUrl,
    SLACK_URL: baseUrl + '/slack/T000/B000/XXX',
    TOKEN: 'tok-123',
    API_KEY: 'key-456',
    DEAD_URL: deadUrl,
    AUTH0_DOMAIN: new URL(baseUrl).host,
    PRIVATE_KEY: CORPUS_PRIVATE_KEY,
  };
}

/** A JWT's header and claims, once its signature checks (HS256 with a secret, RS256 with the corpus key). */
function verifyJwt(authorization: string | undefined, key?: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p, sig] = String(authorization).replace(/^Bearer /, '').split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const ok =
    header.alg === 'HS256'
      ? createHmac('sha256', key!).update(`${h}.${p}`).digest('base64url') === sig
      : verifySignature('RSA-SHA256', Buffer.from(`${h}.${p}`), RSA.publicKey, Buffer.from(sig, 'base64url'));
  if (!ok) throw new Error(`the ${header.alg} signature does not verify`);
  return { header, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}

/** How a run ended, as both paths can report it. `code` only where the path keeps it (not the Runner's JSON). */
export interface CorpusOutcome {
  status: string;
  response?: unknown;
  error?: { name: string; message: string; code?: string } | null;
  logs: Array<{ level: string; message: string }>;
  /** Runner only: time until the hook completed (cb or resolve). */
  durationMs?: number;
}

/** `isolate`: the stand-in (no policy, no redaction); `runner`: production's path (secret values redacted from logs). */
export type CorpusPath = 'isolate' | 'runner';

export interface CorpusCase {
  file: string;
  title: string;
  kind?: 'hook' | 'action';
  /** Needs what only the production path has (bundled npm packages, host-side crypto, storage): not run by the stand-in. */
  runnerOnly?: boolean;
  /** The client only speaks HTTPS (as the real API does): run against the private-CA receiver only. */
  httpsOnly?: boolean;
  check(outcome: CorpusOutcome, receiver: Receiver, path: CorpusPath): void | Promise<void>;
}

const json = (r: ReceivedRequest) => JSON.parse(r.body);
export const logText = (o: CorpusOutcome) => o.logs.map((l) => `${l.level}: ${l.message}`).join('\n');
const SUPPORTED = 'Supported modules: axios, @slack/webhook, graphql-request, lodash, node-fetch, request, request-promise, slack-notify.';

export const CORPUS_CASES: CorpusCase[] = [
  {
    file: '01-slack-notify-auth0-sample.js',
    title: "Auth0's Slack sample: cb() first, the slack-notify post still arrives",
    async check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = await receiver.waitFor(1);
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/slack/T000/B000/XXX');
      expect(req.headers['content-type']).toBe('application/json');
      expect(json(req)).toEqual({ text: 'New User: ada (ada@example.com)', channel: '#some_channel', icon_emoji: ':trophy:', username: 'Hoorah' });
    },
  },
  {
    file: '02-axios-post-then.js',
    title: 'axios.post with a bearer token',
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok' });
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/crm/contacts' });
      expect(req.headers.authorization).toBe('Bearer tok-123');
      expect(req.headers['content-type']).toMatch(/^application\/json/);
      expect(json(req)).toEqual({ email: 'ada@example.com', plan: 'full' });
      expect(logText(outcome)).toContain('created contact abc 200');
    },
  },
  {
    file: '03-axios-config-call.js',
    title: 'axios(config) with params and headers',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'PUT', path: '/users/u-1001?source=auth0&lang=en-us' });
      expect(req.headers['x-tenant']).toBe('acme');
      expect(json(req)).toEqual({ email: 'ada@example.com', verified: true });
    },
  },
  {
    file: '04-axios-create-baseurl.js',
    title: 'axios.create with baseURL and default headers; response data, status and headers',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(receiver.requests.map((r) => `${r.method} ${r.path} ${r.headers['x-api-key']}`)).toEqual([
        'PATCH /api/v2/users/u-1001 key-456',
        'GET /api/v2/users?email=ada%40example.com key-456',
      ]);
      expect(json(receiver.requests[0])).toEqual({ user_metadata: { hobby: 'surfing' } });
      expect(logText(outcome)).toContain('patched 200 abc r-1');
      expect(logText(outcome)).toContain('found true');
    },
  },
  {
    file: '05-axios-500-error.js',
    title: 'axios rejects on a 500 with error.response',
    check(outcome, receiver) {
      expect(outcome.status).toBe('error');
      expect(outcome.error?.message).toBe('CRM answered 500');
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/status/500/contacts' });
      expect(logText(outcome)).toContain('CRM failed 500 boom Request failed with status code 500');
    },
  },
  {
    file: '06-axios-versioned-delete.js',
    title: 'a version-suffixed require resolves to the provided axios, with a warning',
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: { removed: true } });
      expect(receiver.requests[0]).toMatchObject({ method: 'DELETE', path: '/pending/ada%40example.com' });
      expect(outcome.logs).toContainEqual({ level: 'warn', message: expect.stringMatching(/^require\('axios@0\.21\.1'\): Hookline provides axios 1\.\d+\.\d+; using it instead of 0\.21\.1$/) });
    },
  },
  {
    file: '07-request-post-json.js',
    title: 'request.post with json and headers; callback gets (err, response, body)',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/hooks/signup' });
      expect(req.headers['x-api-key']).toBe('key-456');
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers.accept).toBe('application/json');
      expect(json(req)).toEqual({ email: 'ada@example.com', username: 'ada' });
      expect(logText(outcome)).toContain('signup hook 200 abc');
    },
  },
  {
    file: '08-request-form.js',
    title: 'request with form and qs',
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: { status: 200 } });
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/subscribe?list=newsletter' });
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.body).toBe('email=ada%40example.com&merge_fields%5BPLAN%5D=full');
    },
  },
  {
    file: '09-request-500.js',
    title: 'request gives a 500 to the callback as a response with statusCode',
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'error', error: { message: 'CRM said 500: {"error":"boom"}' } });
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/status/500/leads', body: '{"email":"ada@example.com"}' });
    },
  },
  {
    file: '10-request-promise.js',
    title: 'request-promise resolves with the parsed body',
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: { ok: true, id: 'abc' } });
      expect(json(receiver.requests[0])).toEqual({ email: 'ada@example.com', source: 'auth0' });
    },
  },
  {
    file: '11-request-promise-native-404.js',
    title: 'request-promise-native rejects a 404 with StatusCodeError',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(receiver.requests[0]).toMatchObject({ method: 'GET', path: '/status/404/users/u-1001' });
      expect(logText(outcome)).toContain('StatusCodeError 404 boom');
    },
  },
  {
    file: '12-node-fetch.js',
    title: 'node-fetch posts JSON and reads JSON',
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: { ok: true, id: 'abc' } });
      const [req] = receiver.requests;
      expect(req.headers.authorization).toBe('Bearer tok-123');
      expect(json(req)).toEqual({ type: 'signup', email: 'ada@example.com' });
    },
  },
  {
    file: '13-node-fetch-refused.js',
    title: 'node-fetch: a refused connection is a FetchError of type system',
    check(outcome, _receiver, path) {
      expect(outcome).toMatchObject({ status: 'error', error: { name: 'FetchError' } });
      if (path === 'isolate') expect(outcome.error?.code).toBe('ECONNREFUSED');
      // The Runner redacts secret values (DEAD_URL is one) from what the hook reports.
      const url = path === 'runner' ? '\\[REDACTED\\]' : 'http://127\\.0\\.0\\.1:\\d+';
      expect(outcome.error?.message).toMatch(new RegExp(`^request to ${url}/events failed, reason: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+$`));
      expect(logText(outcome)).toContain('FetchError system ECONNREFUSED');
    },
  },
  {
    file: '14-slack-webhook-action.js',
    kind: 'action',
    title: '@slack/webhook IncomingWebhook.send from an Action',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/slack/T000/B000/XXX' });
      expect(req.headers['user-agent']).toMatch(/^@slack:webhook\/8\./);
      expect(json(req).text).toBe('New signup: ada@example.com');
      expect(json(req).blocks[0].text.text).toBe('*ada@example.com* joined via Username-Password-Authentication');
    },
  },
  {
    file: '15-graphql-request.js',
    title: 'graphql-request request(url, query, variables)',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/graphql' });
      expect(req.headers['content-type']).toMatch(/^application\/json/);
      expect(json(req).variables).toEqual({ email: 'ada@example.com', tenant: 'acme' });
      expect(json(req).query).toContain('mutation CreateUser');
      expect(logText(outcome)).toContain('graphql id 42');
    },
  },
  {
    file: '16-graphql-client-action.js',
    kind: 'action',
    title: 'graphql-request GraphQLClient with headers from an Action',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(receiver.requests[0].headers.authorization).toBe('Bearer tok-123');
      expect(json(receiver.requests[0]).variables).toEqual({ email: 'ada@example.com' });
      expect(logText(outcome)).toContain('client id 42');
    },
  },
  {
    file: '17-bare-function-terraform.js',
    title: 'a bare function with no module.exports (Terraform form)',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/terraform', body: '{"email":"ada@example.com"}' });
    },
  },
  {
    file: '18-esm-export-default.mjs',
    title: 'an ES module with import and export default',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/esm', body: '{"email":"ada@example.com"}' });
    },
  },
  {
    file: '19-esm-action-fetch-form.mjs',
    kind: 'action',
    title: 'an ES-module Action: fetch with URL and URLSearchParams',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/form?src=action', body: 'email=ada%40example.com&tenant=acme' });
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    },
  },
  {
    file: '20-legacy-webtask-fields.js',
    title: 'legacy context.webtask.data, meta and headers',
    check(outcome, receiver, path) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req.headers['x-api-key']).toBe('key-456');
      // The hook's name: the Runner names a hook after its file.
      expect(json(req)).toEqual({ hook: path === 'runner' ? '20-legacy-webtask-fields.js' : 'corpus', ua: 'Hookline', id: 'u-1001' });
    },
  },
  {
    file: '21-lodash-and-globals.js',
    title: 'lodash, lodash/get, URL, btoa, TextEncoder and FormData',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/profile?plan=full' });
      expect(req.headers.authorization).toBe('Basic ' + Buffer.from('api:key-456').toString('base64'));
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(String(req.headers['content-type']))![1];
      expect(req.body).toBe(
        `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nada@example.com\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="bytes"\r\n\r\n3\r\n--${boundary}--\r\n`,
      );
      expect(logText(outcome)).toContain('profile 200 Ada');
    },
  },
  {
    file: '22-unsupported-module.js',
    title: 'an unsupported module fails with an error naming it and the supported list',
    check(outcome, receiver, path) {
      expect(outcome.status).toBe('error');
      const message = `Cannot require "aws-sdk" in a Hookline hook: this module is not supported. ${SUPPORTED} See docs/migrating-from-auth0.md for workarounds.`;
      // The Runner finds it before the hook runs, with its file and line; in an isolate, require() throws it.
      if (path === 'runner') {
        expect(outcome.error?.name).toBe('ModuleNotSupportedError');
        expect(outcome.error?.message).toMatch(/(^|\/)22-unsupported-module\.js:2:13: Cannot require "aws-sdk"/);
        expect(outcome.error?.message.endsWith(`22-unsupported-module.js:2:13: ${message}`)).toBe(true);
      }
      else expect(outcome.error).toMatchObject({ code: 'MODULE_NOT_FOUND', message });
      expect(receiver.requests).toHaveLength(0);
    },
  },
  {
    file: '23-axios-refused.js',
    title: 'axios: a refused connection rejects with the network error and no response',
    check(outcome, _receiver, path) {
      // As axios's Node adapter does (AxiosError.from), the error keeps the system error's name, message and code.
      expect(outcome).toMatchObject({ status: 'error', error: { name: 'Error' } });
      if (path === 'isolate') expect(outcome.error?.code).toBe('ECONNREFUSED');
      expect(outcome.error?.message).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
      expect(logText(outcome)).toContain('axios failed true ECONNREFUSED true');
    },
  },
  {
    file: '24-slack-notify-alert-callback.js',
    title: 'slack-notify alert with fields and note, with callbacks; same version: no warning',
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(outcome.logs.filter((l) => l.level === 'warn')).toEqual([]);
      const [alert, note] = receiver.requests.map(json);
      expect(alert).toEqual({
        channel: '#alerts', icon_emoji: ':warning:', username: 'Alert', text: 'Signup needs review',
        attachments: [{ fallback: 'Alert details', fields: [{ title: 'Email', value: 'ada@example.com', short: true }, { title: 'Plan', value: 'full', short: true }] }],
      });
      expect(note).toEqual({ channel: '#alerts', icon_emoji: ':bulb:', username: 'Note', text: 'Reviewed ada@example.com' });
    },
  },
  {
    file: '25-axios-fire-and-forget.js',
    title: 'cb() before a slow axios request: the request completes afterwards',
    async check(outcome, receiver, path) {
      expect(outcome.status).toBe('ok');
      // The receiver answers /slow after 1 s; cb came first. The Runner waits for work left running
      // (and reports when the hook completed, before the answer).
      if (path === 'runner') expect(outcome.durationMs).toBeLessThan(1_000);
      const [req] = await receiver.waitFor(1);
      expect(req).toMatchObject({ method: 'POST', path: '/slow/audit', body: '{"email":"ada@example.com"}' });
      if (path === 'runner') expect(logText(outcome)).toContain('log: audit done 200');
    },
  },
  {
    file: '26-jsonwebtoken-hs256.js',
    title: 'jsonwebtoken HS256: sign, verify, send as a bearer token',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 200 });
      expect(logText(outcome)).toContain('log: verified u-1001 urn:acme:hooks');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/jwt/hs256' });
      const { header, claims } = verifyJwt(req.headers.authorization, 'key-456');
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(claims).toMatchObject({ sub: 'u-1001', email: 'ada@example.com', iss: 'urn:acme:hooks', aud: 'crm' });
      expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    },
  },
  {
    file: '27-jsonwebtoken-rs256-action.js',
    kind: 'action',
    title: 'jsonwebtoken RS256 from an Action, with a key id',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(logText(outcome)).toContain('log: rs256 200 hook-key-1');
      const { header, claims } = verifyJwt(receiver.requests[0].headers.authorization);
      expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'hook-key-1' });
      expect(claims).toMatchObject({ sub: expect.stringMatching(/u-1001$/), email: 'ada@example.com' });
    },
  },
  {
    file: '28-hmac-signed-webhook.js',
    title: 'an HMAC-SHA256 signed webhook (timestamp.body)',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      const [req] = receiver.requests;
      const expected = createHmac('sha256', 'key-456').update(`${req.headers['x-timestamp']}.${req.body}`).digest('hex');
      expect(req.headers['x-signature']).toBe(`sha256=${expected}`);
      expect(Math.abs(Number(req.headers['x-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
      expect(json(req)).toEqual({ event: 'user.registered', id: 'u-1001', email: 'ada@example.com' });
    },
  },
  {
    file: '29-https-request.js',
    title: "Node's https.request (http for a plain URL) with data/end events",
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: { status: 200, id: 'abc' } });
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/node/contacts?src=hook', body: '{"email":"ada@example.com"}' });
      expect(req.headers).toMatchObject({ authorization: 'Bearer tok-123', 'content-type': 'application/json', 'content-length': '27' });
    },
  },
  {
    file: '30-buffer-basic-auth.js',
    title: 'Basic auth from Buffer.from(...).toString("base64")',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 200 });
      expect(receiver.requests[0].headers.authorization).toBe('Basic ' + Buffer.from('api:key-456').toString('base64'));
      expect(json(receiver.requests[0])).toEqual({ email: 'ada@example.com' });
    },
  },
  {
    file: '31-supabase-insert.js',
    title: '@supabase/supabase-js: insert a row through PostgREST',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(logText(outcome)).toContain('log: inserted u-1001');
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/supabase/rest/v1/profiles?select=*' });
      expect(req.headers).toMatchObject({ apikey: 'key-456', authorization: 'Bearer key-456', prefer: 'return=representation' });
      expect(json(req)).toEqual({ id: 'u-1001', email: 'ada@example.com', plan: 'full' });
    },
  },
  {
    file: '32-auth0-management-client.js',
    title: 'the auth0 Management API client: client credentials, then PATCH the user',
    runnerOnly: true,
    httpsOnly: true,
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(logText(outcome)).toContain('log: app_metadata updated');
      const [token, update] = receiver.requests;
      expect(token).toMatchObject({ method: 'POST', path: '/oauth/token' });
      expect(new URLSearchParams(token.body).get('grant_type') ?? json(token).grant_type).toBe('client_credentials');
      expect(update).toMatchObject({ method: 'PATCH', path: '/api/v2/users/auth0%7Cu-1001' });
      expect(update.headers.authorization).toBe('Bearer mgmt-token-1');
      expect(json(update)).toEqual({ app_metadata: { crm_synced: true } });
    },
  },
  {
    file: '33-xml-legacy-crm.js',
    title: 'fast-xml-parser: build an XML request, parse the XML answer',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 42 });
      const [req] = receiver.requests;
      expect(req.headers['content-type']).toBe('application/xml');
      expect(req.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Contact source="auth0"><Email>ada@example.com</Email><Plan>full</Plan></Contact>');
    },
  },
  {
    file: '34-webtask-storage-counter.js',
    title: 'context.webtask.storage: a counter with a retry on conflict',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 1 });
      expect(json(receiver.requests[0])).toEqual({ signups: 1, last: 'ada@example.com' });
    },
  },
  {
    file: '35-optional-require.js',
    title: 'a try-guarded optional require: a warning before, a catchable MODULE_NOT_FOUND at run time',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 200 });
      expect(logText(outcome)).toContain('log: newrelic unavailable: MODULE_NOT_FOUND');
      expect(logText(outcome)).toMatch(/warn: \[hookline\] .*35-optional-require\.js:4:14: Cannot require "newrelic"/);
      expect(receiver.requests[0]).toMatchObject({ path: '/events/optional', body: '{"id":"u-1001"}' });
    },
  },
  {
    file: '36-util-promisify-form.js',
    title: 'util.promisify(request.post) with a querystring form and util.format',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome.status).toBe('ok');
      expect(logText(outcome)).toContain('log: subscribed ada@example.com: 200');
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/form/subscribe', body: 'email=ada%40example.com&list=signups' });
      expect(receiver.requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    },
  },
  {
    file: '37-aws4-signed-sns.js',
    title: 'aws-sdk v2 migrated: an SNS Publish signed with aws4 (SigV4) over fetch',
    runnerOnly: true,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 'msg-123' });
      const [req] = receiver.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/sns/' });
      const params = new URLSearchParams(req.body);
      expect(params.get('Action')).toBe('Publish');
      expect(JSON.parse(params.get('Message')!)).toEqual({ email: 'ada@example.com' });
      // SigV4 as AWS checks it: the signature over the canonical request, recomputed here with node:crypto.
      const date = String(req.headers['x-amz-date']);
      const auth = String(req.headers.authorization);
      expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAHOOKLINE\/\d{8}\/eu-west-1\/sns\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/);
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
      const canonical = ['POST', '/sns/', '', ...signedHeaders.map((h) => `${h}:${String(req.headers[h]).trim()}`), '', signedHeaders.join(';'), createHash('sha256').update(req.body).digest('hex')].join('\n');
      const scope = `${date.slice(0, 8)}/eu-west-1/sns/aws4_request`;
      const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
      let key: Buffer = Buffer.from('AWS4key-456');
      for (const part of [date.slice(0, 8), 'eu-west-1', 'sns', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
      expect(auth.endsWith(`Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`)).toBe(true);
    },
  },
];
