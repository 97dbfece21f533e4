// The Auth0 corpus (test/auth0-corpus/) as one table: what each script must send and how it must end.
// Run by two specs: auth0-corpus.spec.ts (a bare isolate with a stand-in fetch) and
// test/auth0-corpus.e2e-spec.ts (the Runner: worker process, isolate, policy-checked fetch bridge).
import { join } from 'node:path';
import type { Receiver, ReceivedRequest } from '../receiver';

export const CORPUS_DIR = join(__dirname, '..', '..', 'auth0-corpus');

/** The sign-up every script runs on (the Runner gets it as an --event file). */
export const CORPUS_USER = {
  id: 'u-1001', tenant: 'acme', username: 'ada', email: 'ada@example.com', emailVerified: true,
  phoneNumber: '1-000-000-0000', phoneNumberVerified: true, user_metadata: { hobby: 'surfing' }, app_metadata: { plan: 'full' },
};
export const CORPUS_CONNECTION = { id: 'con_1', name: 'Username-Password-Authentication', tenant: 'acme' };

/** The secrets every script gets, given the receiver's URL and a URL where nothing listens. */
export function corpusSecrets(baseUrl: string, deadUrl: string): Record<string, string> {
  return { BASE_URL: baseUrl, SLACK_URL: baseUrl + '/slack/T000/B000/XXX', TOKEN: 'tok-123', API_KEY: 'key-456', DEAD_URL: deadUrl };
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
];
