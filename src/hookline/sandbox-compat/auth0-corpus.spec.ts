// Runs every script of test/auth0-corpus in a real isolated-vm isolate with the compat layer, against a
// real HTTP receiver on 127.0.0.1, and checks what the receiver got and how the hook ended.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRequires } from './require-check';
import { buildWebtaskContext } from './webtask-context';
import { CompatIsolate, type HookOutcome } from './testing/compat-isolate.harness';
import { HttpReceiver, type ReceivedRequest } from './testing/http-receiver';

const CORPUS = join(__dirname, '..', '..', '..', 'test', 'auth0-corpus');

const user = {
  id: 'u-1001', tenant: 'acme', username: 'ada', email: 'ada@example.com', emailVerified: true,
  phoneNumber: '1-000-000-0000', phoneNumberVerified: true, user_metadata: { hobby: 'surfing' }, app_metadata: { plan: 'full' },
};

let receiver: HttpReceiver;
let sandbox: CompatIsolate;
let secrets: Record<string, string>;

function hookArgs(): [unknown, unknown] {
  const webtask = buildWebtaskContext({ tenant: 'acme', hookName: 'corpus', secrets, eventId: 'evt-1' });
  return [user, { requestLanguage: 'en-us', connection: { id: 'con_1', name: 'Username-Password-Authentication', tenant: 'acme' }, webtask, secrets }];
}

function actionArgs(): [unknown, unknown] {
  return [{ user: { ...user, user_id: 'auth0|' + user.id }, connection: { id: 'con_1', name: 'Username-Password-Authentication' }, tenant: { id: 'acme' }, secrets }, {}];
}

async function run(file: string, kind: 'hook' | 'action' = 'hook'): Promise<HookOutcome> {
  return sandbox.runHook(readFileSync(join(CORPUS, file), 'utf8'), file, kind === 'hook' ? hookArgs() : actionArgs(), kind);
}

const json = (r: ReceivedRequest) => JSON.parse(r.body);
const logText = (o: HookOutcome) => o.logs.map((l) => `${l.level}: ${l.message}`).join('\n');

beforeAll(async () => {
  receiver = await new HttpReceiver().start();
  const closed = await new HttpReceiver().start(); // a port with nothing listening: connections are refused
  const deadUrl = closed.url;
  await closed.stop();
  secrets = { BASE_URL: receiver.url, SLACK_URL: receiver.url + '/slack/T000/B000/XXX', TOKEN: 'tok-123', API_KEY: 'key-456', DEAD_URL: deadUrl };
  sandbox = new CompatIsolate();
});
afterAll(async () => {
  sandbox.dispose();
  await receiver.stop();
});
beforeEach(() => receiver.reset());

describe('Auth0 corpus in a real isolate', () => {
  it('01 Auth0 Slack sample: cb() first, the slack-notify post still arrives', async () => {
    const outcome = await run('01-slack-notify-auth0-sample.js');
    expect(outcome.status).toBe('ok');
    const [req] = await receiver.waitFor(1);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/slack/T000/B000/XXX');
    expect(req.headers['content-type']).toBe('application/json');
    expect(json(req)).toEqual({ text: 'New User: ada (ada@example.com)', channel: '#some_channel', icon_emoji: ':trophy:', username: 'Hoorah' });
  });

  it('02 axios.post with a bearer token', async () => {
    const outcome = await run('02-axios-post-then.js');
    expect(outcome).toMatchObject({ status: 'ok' });
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/crm/contacts' });
    expect(req.headers.authorization).toBe('Bearer tok-123');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(json(req)).toEqual({ email: 'ada@example.com', plan: 'full' });
    expect(logText(outcome)).toContain('created contact abc 200');
  });

  it('03 axios(config) with params and headers', async () => {
    expect((await run('03-axios-config-call.js')).status).toBe('ok');
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'PUT', path: '/users/u-1001?source=auth0&lang=en-us' });
    expect(req.headers['x-tenant']).toBe('acme');
    expect(json(req)).toEqual({ email: 'ada@example.com', verified: true });
  });

  it('04 axios.create with baseURL and default headers; response data, status and headers', async () => {
    const outcome = await run('04-axios-create-baseurl.js');
    expect(outcome.status).toBe('ok');
    expect(receiver.requests.map((r) => `${r.method} ${r.path} ${r.headers['x-api-key']}`)).toEqual([
      'PATCH /api/v2/users/u-1001 key-456',
      'GET /api/v2/users?email=ada%40example.com key-456',
    ]);
    expect(json(receiver.requests[0])).toEqual({ user_metadata: { hobby: 'surfing' } });
    expect(logText(outcome)).toContain('patched 200 abc r-1');
    expect(logText(outcome)).toContain('found true');
  });

  it('05 axios rejects on a 500 with error.response', async () => {
    const outcome = await run('05-axios-500-error.js');
    expect(outcome.status).toBe('error');
    expect(outcome.error?.message).toBe('CRM answered 500');
    expect(logText(outcome)).toContain('CRM failed 500 boom Request failed with status code 500');
  });

  it('06 a version-suffixed require resolves to the provided axios, with a warning', async () => {
    const outcome = await run('06-axios-versioned-delete.js');
    expect(outcome).toMatchObject({ status: 'ok', response: { removed: true } });
    expect(receiver.requests[0]).toMatchObject({ method: 'DELETE', path: '/pending/ada%40example.com' });
    expect(outcome.logs).toContainEqual({ level: 'warn', message: expect.stringMatching(/^require\('axios@0\.21\.1'\): Hookline provides axios 1\.\d+\.\d+; using it instead of 0\.21\.1$/) });
  });

  it('07 request.post with json and headers; callback gets (err, response, body)', async () => {
    const outcome = await run('07-request-post-json.js');
    expect(outcome.status).toBe('ok');
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/hooks/signup' });
    expect(req.headers['x-api-key']).toBe('key-456');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(json(req)).toEqual({ email: 'ada@example.com', username: 'ada' });
    expect(logText(outcome)).toContain('signup hook 200 abc');
  });

  it('08 request with form and qs', async () => {
    const outcome = await run('08-request-form.js');
    expect(outcome).toMatchObject({ status: 'ok', response: { status: 200 } });
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/subscribe?list=newsletter' });
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.body).toBe('email=ada%40example.com&merge_fields%5BPLAN%5D=full');
  });

  it('09 request gives a 500 to the callback as a response with statusCode', async () => {
    const outcome = await run('09-request-500.js');
    expect(outcome).toMatchObject({ status: 'error', error: { message: 'CRM said 500: {"error":"boom"}' } });
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/status/500/leads', body: '{"email":"ada@example.com"}' });
  });

  it('10 request-promise resolves with the parsed body', async () => {
    const outcome = await run('10-request-promise.js');
    expect(outcome).toMatchObject({ status: 'ok', response: { ok: true, id: 'abc' } });
    expect(json(receiver.requests[0])).toEqual({ email: 'ada@example.com', source: 'auth0' });
  });

  it('11 request-promise-native rejects a 404 with StatusCodeError', async () => {
    const outcome = await run('11-request-promise-native-404.js');
    expect(outcome.status).toBe('ok');
    expect(receiver.requests[0]).toMatchObject({ method: 'GET', path: '/status/404/users/u-1001' });
    expect(logText(outcome)).toContain('StatusCodeError 404 boom');
  });

  it('12 node-fetch posts JSON and reads JSON', async () => {
    const outcome = await run('12-node-fetch.js');
    expect(outcome).toMatchObject({ status: 'ok', response: { ok: true, id: 'abc' } });
    const [req] = receiver.requests;
    expect(req.headers.authorization).toBe('Bearer tok-123');
    expect(json(req)).toEqual({ type: 'signup', email: 'ada@example.com' });
  });

  it('13 node-fetch: a refused connection is a FetchError of type system', async () => {
    const outcome = await run('13-node-fetch-refused.js');
    expect(outcome).toMatchObject({ status: 'error', error: { name: 'FetchError', code: 'ECONNREFUSED' } });
    expect(outcome.error?.message).toMatch(/^request to http:\/\/127\.0\.0\.1:\d+\/events failed, reason: connect ECONNREFUSED/);
    expect(logText(outcome)).toContain('FetchError system ECONNREFUSED');
  });

  it('14 @slack/webhook IncomingWebhook.send from an Action', async () => {
    const outcome = await run('14-slack-webhook-action.js', 'action');
    expect(outcome.status).toBe('ok');
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/slack/T000/B000/XXX' });
    expect(req.headers['user-agent']).toMatch(/^@slack:webhook\/8\./);
    expect(json(req).text).toBe('New signup: ada@example.com');
    expect(json(req).blocks[0].text.text).toBe('*ada@example.com* joined via Username-Password-Authentication');
  });

  it('15 graphql-request request(url, query, variables)', async () => {
    const outcome = await run('15-graphql-request.js');
    expect(outcome.status).toBe('ok');
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/graphql' });
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(json(req).variables).toEqual({ email: 'ada@example.com', tenant: 'acme' });
    expect(json(req).query).toContain('mutation CreateUser');
    expect(logText(outcome)).toContain('graphql id 42');
  });

  it('16 graphql-request GraphQLClient with headers from an Action', async () => {
    const outcome = await run('16-graphql-client-action.js', 'action');
    expect(outcome.status).toBe('ok');
    expect(receiver.requests[0].headers.authorization).toBe('Bearer tok-123');
    expect(json(receiver.requests[0]).variables).toEqual({ email: 'ada@example.com' });
    expect(logText(outcome)).toContain('client id 42');
  });

  it('17 a bare function with no module.exports (Terraform form)', async () => {
    expect((await run('17-bare-function-terraform.js')).status).toBe('ok');
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/terraform', body: '{"email":"ada@example.com"}' });
  });

  it('18 an ES module with import and export default', async () => {
    expect((await run('18-esm-export-default.mjs')).status).toBe('ok');
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/esm', body: '{"email":"ada@example.com"}' });
  });

  it('19 an ES-module Action: fetch with URL and URLSearchParams', async () => {
    expect((await run('19-esm-action-fetch-form.mjs', 'action')).status).toBe('ok');
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/form?src=action', body: 'email=ada%40example.com&tenant=acme' });
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
  });

  it('20 legacy context.webtask.data, meta and headers', async () => {
    expect((await run('20-legacy-webtask-fields.js')).status).toBe('ok');
    const [req] = receiver.requests;
    expect(req.headers['x-api-key']).toBe('key-456');
    expect(json(req)).toEqual({ hook: 'corpus', ua: 'Hookline', id: 'u-1001' });
  });

  it('21 lodash, lodash/get, URL, btoa, TextEncoder and FormData', async () => {
    const outcome = await run('21-lodash-and-globals.js');
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
  });

  it('22 an unsupported module fails with an error naming it and the supported list', async () => {
    const outcome = await run('22-unsupported-module.js');
    expect(outcome.status).toBe('error');
    expect(outcome.error?.code).toBe('MODULE_NOT_SUPPORTED');
    expect(outcome.error?.message).toBe(
      'Cannot require "aws-sdk" in a Hookline hook: this module is not supported. Supported modules: axios, @slack/webhook, ' +
        'graphql-request, lodash, node-fetch, request, request-promise, slack-notify. See docs/migrating-from-auth0.md for workarounds.',
    );
  });

  it('23 axios: a refused connection rejects with the network error and no response', async () => {
    const outcome = await run('23-axios-refused.js');
    // As axios's Node adapter does (AxiosError.from), the error keeps the system error's name, message and code.
    expect(outcome).toMatchObject({ status: 'error', error: { name: 'Error', code: 'ECONNREFUSED' } });
    expect(outcome.error?.message).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(logText(outcome)).toContain('axios failed true ECONNREFUSED true');
  });

  it('24 slack-notify alert with fields and note, with callbacks; same version: no warning', async () => {
    const outcome = await run('24-slack-notify-alert-callback.js');
    expect(outcome.status).toBe('ok');
    expect(outcome.logs.filter((l) => l.level === 'warn')).toEqual([]);
    const [alert, note] = receiver.requests.map(json);
    expect(alert).toEqual({
      channel: '#alerts', icon_emoji: ':warning:', username: 'Alert', text: 'Signup needs review',
      attachments: [{ fallback: 'Alert details', fields: [{ title: 'Email', value: 'ada@example.com', short: true }, { title: 'Plan', value: 'full', short: true }] }],
    });
    expect(note).toEqual({ channel: '#alerts', icon_emoji: ':bulb:', username: 'Note', text: 'Reviewed ada@example.com' });
  });

  it('25 cb() before a slow axios request: the request completes afterwards', async () => {
    const outcome = await run('25-axios-fire-and-forget.js');
    expect(outcome.status).toBe('ok');
    expect(receiver.requests).toHaveLength(0); // the receiver answers /slow after 300 ms; cb came first
    const [req] = await receiver.waitFor(1);
    expect(req).toMatchObject({ method: 'POST', path: '/slow/audit' });
  });
});

describe('static check of the corpus', () => {
  it('flags exactly what fails or warns at run time: aws-sdk (error) and axios@0.21.1 (warning)', () => {
    const files = readdirSync(CORPUS).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    const flagged = files.flatMap((file) =>
      checkRequires(readFileSync(join(CORPUS, file), 'utf8'), file).map((p) => `${p.severity} ${p.message.split(': ')[0]}`),
    );
    expect(flagged).toEqual(['warning 06-axios-versioned-delete.js:2:15', 'error 22-unsupported-module.js:2:13']);
  });
});
