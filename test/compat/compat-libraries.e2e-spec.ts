// Failure paths and less common call forms of the allow-listed modules, in a real isolate against a
// real receiver on 127.0.0.1: each failure reaches the script the way the library documents it.
import { CompatIsolate } from '../support/compat/compat-isolate.harness';
import { compatAnswer } from '../support/compat/compat-answers';
import { Receiver } from '../support/receiver';
import { until } from '../support/until';

let sandbox: CompatIsolate;
let receiver: Receiver;
let dead: string;

beforeAll(async () => {
  sandbox = new CompatIsolate();
  receiver = await Receiver.start({ answer: compatAnswer });
  const closed = await Receiver.start({ answer: compatAnswer });
  dead = closed.url;
  await closed.close();
});
afterAll(async () => {
  sandbox.dispose();
  await receiver.close();
});
beforeEach(() => receiver.reset());

const evaluate = (expression: string) => sandbox.evaluate(expression);

describe('axios', () => {
  it('times out with ECONNABORTED and the axios message', async () => {
    expect(await evaluate(`require('axios').get('${receiver.url}/slow', { timeout: 50 }).then(() => 'ok', (e) => [e.code, e.message, e.response === undefined])`))
      .toEqual(['ECONNABORTED', 'timeout of 50ms exceeded', true]);
  });

  it('honours validateStatus, auth, and transforms the response', async () => {
    const result = await evaluate(`require('axios').post('${receiver.url}/status/404/x', 'raw', {
      validateStatus: (s) => s < 500, auth: { username: 'u', password: 'p' }, headers: { 'content-type': 'text/plain' } })
      .then((r) => [r.status, r.data.error, r.statusText])`);
    expect(result).toEqual([404, 'boom', 'Not Found']);
    // Found by path: the previous test's timed-out request may reach the receiver late on a busy machine.
    const sent = receiver.requests.find((r) => r.path === '/status/404/x');
    expect(sent?.headers.authorization).toBe('Basic dTpw');
    expect(sent?.body).toBe('raw');
  });

  it('a 4xx rejects with error.response (status, data, headers) and the request config', async () => {
    expect(await evaluate(`require('axios').create({ baseURL: '${receiver.url}/status/422' }).get('/v').catch((e) =>
      [e.name, e.isAxiosError, e.response.status, e.response.data, e.response.headers['content-type'], e.config.url])`))
      .toEqual(['AxiosError', true, 422, { error: 'boom' }, 'application/json', '/v']);
  });

  it('runs interceptors and the axios(url, config) form', async () => {
    expect(await evaluate(`(() => { const axios = require('axios'); const api = axios.create();
      api.interceptors.request.use((config) => { config.headers['X-Intercepted'] = 'yes'; return config; });
      api.interceptors.response.use((res) => ({ ...res, data: { wrapped: res.data.id } }));
      return Promise.all([api('${receiver.url}/i', { method: 'put', data: { a: 1 } }).then((r) => r.data), axios('${receiver.url}/j').then((r) => r.status)]); })()`))
      .toEqual([{ wrapped: 'abc' }, 200]);
    expect(receiver.requests.map((r) => [r.method, r.path, r.headers['x-intercepted'] ?? null]).sort()).toEqual([['GET', '/j', null], ['PUT', '/i', 'yes']]);
  });

  it('cancels with a CancelToken', async () => {
    expect(await evaluate(`(() => { const axios = require('axios'); const source = axios.CancelToken.source();
      const p = axios.get('${receiver.url}/slow', { cancelToken: source.token }); source.cancel('changed my mind');
      return p.catch((e) => [axios.isCancel(e), e.message]); })()`)).toEqual([true, 'changed my mind']);
  });

  it('aborts with an AbortController signal as CanceledError', async () => {
    expect(await evaluate(`(() => { const c = new AbortController(); const p = require('axios').get('${receiver.url}/slow', { signal: c.signal });
      c.abort(); return p.catch((e) => [e.name, require('axios').isCancel(e)]); })()`)).toEqual(['CanceledError', true]);
  });
});

describe('@slack/webhook', () => {
  it('rejects a 500 with IncomingWebhookHTTPError, and a refused connection with IncomingWebhookRequestError', async () => {
    expect(await evaluate(`new (require('@slack/webhook').IncomingWebhook)('${receiver.url}/status/500').send('x').catch((e) => [e.name, e.code, e.statusCode, e.body])`))
      .toEqual(['IncomingWebhookHTTPError', 'slack_webhook_http_error', 500, '{"error":"boom"}']);
    expect(await evaluate(`new (require('@slack/webhook').IncomingWebhook)('${dead}/x').send('x').catch((e) => [e.name, e.code, e.original.code])`))
      .toEqual(['IncomingWebhookRequestError', 'slack_webhook_request_error', 'ECONNREFUSED']);
  });

  it('resolves with the text Slack answered', async () => {
    expect(await evaluate(`new (require('@slack/webhook').IncomingWebhook)('${receiver.url}/slack/x', { username: 'bot' }).send('hi')`)).toEqual({ text: 'ok' });
    expect(JSON.parse(receiver.requests[0].body)).toEqual({ username: 'bot', text: 'hi' });
  });
});

describe('graphql-request', () => {
  it('rejects a failed request with ClientError carrying the response', async () => {
    expect(await evaluate(`(() => { const { request, ClientError } = require('graphql-request');
      return request('${receiver.url}/status/400/graphql', '{ me { id } }').catch((e) => [e instanceof ClientError, e.response.status, e.message.split(':')[0]]); })()`))
      .toEqual([true, 400, 'GraphQL Error (Code']);
  });
});

describe('request and request-promise', () => {
  it('gives a refused connection to the callback as err with the system code, and no response', async () => {
    expect(await evaluate(`new Promise((resolve) => require('request')('${dead}/x', (err, res, body) => resolve([err.code, res === undefined, body === undefined])))`))
      .toEqual(['ECONNREFUSED', true, true]);
  });

  it('times out with ESOCKETTIMEDOUT', async () => {
    expect(await evaluate(`new Promise((resolve) => require('request').get({ url: '${receiver.url}/slow', timeout: 30 }, (err) => resolve(err.code)))`))
      .toBe('ESOCKETTIMEDOUT');
  });

  it('sends bearer auth, request.defaults headers, and parses no JSON unless asked', async () => {
    const result = await evaluate(`new Promise((resolve) => require('request').defaults({ headers: { 'x-app': 'hookline' } })
      .get('${receiver.url}/me', { auth: { bearer: 'tok' } }, (err, res, body) => resolve([res.statusCode, typeof body, res.headers['x-request-id']])))`);
    expect(result).toEqual([200, 'string', 'r-1']);
    expect(receiver.requests[0].headers).toMatchObject({ authorization: 'Bearer tok', 'x-app': 'hookline' });
  });

  it('request-promise: RequestError on a refused connection; full response on request', async () => {
    expect(await evaluate(`require('request-promise')('${dead}/x').catch((e) => [e.name, e.cause.code])`)).toEqual(['RequestError', 'ECONNREFUSED']);
    expect(await evaluate(`require('request-promise')({ uri: '${receiver.url}/status/500/x', simple: false, resolveWithFullResponse: true }).then((r) => r.statusCode)`))
      .toBe(500);
  });
});

describe('slack-notify', () => {
  it('gives a non-"ok" answer to the callback as an error, and logs it when there is no callback', async () => {
    expect(await evaluate(`new Promise((resolve) => require('slack-notify')('${receiver.url}/status/400/x').send('hi', (err) => resolve(err.message)))`))
      .toBe('{"error":"boom"}');
    const outcome = await sandbox.runHook(
      `module.exports = function (u, c, cb) { require('slack-notify')('${dead}').alert('x'); setTimeout(cb, 100); };`,
      'fire-and-forget.js',
      [{}, {}],
    );
    // Logged when the refused connection comes back, which may be after cb(): the lines keep arriving.
    const refused = /^slack-notify: message not sent: connect ECONNREFUSED/;
    await until(() => outcome.logs.some((line) => line.level === 'error' && refused.test(line.message)), 5_000, 'the refused message logged');
    expect(outcome.logs).toContainEqual({ level: 'error', message: expect.stringMatching(refused) });
  });
});

describe('node-fetch', () => {
  it('resolves a 500 as a response (no rejection), with node-fetch classes beside it', async () => {
    expect(await evaluate(`(async () => { const fetch = require('node-fetch'); const r = await fetch('${receiver.url}/status/500');
      return [r.status, r.ok, typeof fetch.Headers, fetch.default === fetch, fetch.isRedirect(301)]; })()`)).toEqual([500, false, 'function', true, true]);
  });
});
