/**
 * The Auth0 corpus through the Runner: `hookline run <script> --json`, the production path (a sandbox
 * worker process, a tenant isolate, the policy-checked fetch bridge), against a real HTTP receiver on
 * 127.0.0.1 allowed with `--allow-host 127.0.0.1:<port>`, and again against an HTTPS receiver whose
 * certificate a throwaway private CA signed (trusted with `--ca`). Same table as the stand-in spec
 * (test/compat/auth0-corpus-isolate.e2e-spec.ts); then failure paths only the real bridge has.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_CASES, CORPUS_CONNECTION, CORPUS_DIR, CORPUS_USER, corpusSecrets, logText, type CorpusOutcome } from './support/compat/auth0-corpus.cases';
import { compatAnswer } from './support/compat/compat-answers';
import { Receiver } from './support/receiver';
import { cli } from './support/cli';
import { createPrivateCa, type PrivateCa } from './support/private-ca';

let receiver: Receiver;
let tlsReceiver: Receiver;
let ca: PrivateCa;
let deadUrl: string;
let dir: string;
let eventFile: string;

const hostOf = (url: string) => new URL(url).host;

async function runner(script: string, extra: string[] = [], target = receiver): Promise<CorpusOutcome & { code: number }> {
  const secrets = Object.entries(corpusSecrets(target.url, deadUrl)).flatMap(([k, v]) => ['--secret', `${k}=${v}`]);
  const allow = ['--allow-host', hostOf(target.url), '--allow-host', hostOf(deadUrl)];
  if (target === tlsReceiver) extra = ['--ca', ca.caFile, ...extra];
  const { code, stdout, stderr } = await cli('run', script, '--json', '--event', eventFile, '--timeout-ms', '5000', ...secrets, ...allow, ...extra);
  expect(stderr).toBe('');
  return { code, ...(JSON.parse(stdout) as CorpusOutcome) };
}

beforeAll(async () => {
  receiver = await Receiver.start({ answer: compatAnswer });
  ca = createPrivateCa();
  tlsReceiver = await Receiver.start({ tls: { cert: ca.cert, key: ca.key }, answer: compatAnswer });
  const closed = await Receiver.start({ answer: compatAnswer }); // a port with nothing listening: connections are refused
  deadUrl = closed.url;
  await closed.close();
  dir = mkdtempSync(join(tmpdir(), 'hookline-corpus-'));
  eventFile = join(dir, 'event.json');
  writeFileSync(eventFile, JSON.stringify({ id: 'evt-1', user: CORPUS_USER, context: { requestLanguage: 'en-us', connection: CORPUS_CONNECTION } }));
});
afterAll(async () => {
  await receiver.close();
  await tlsReceiver.close();
  ca.remove();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  receiver.reset();
  tlsReceiver.reset();
});

describe('Auth0 corpus through the Runner (worker process, isolate, fetch bridge)', () => {
  it('has at least 35 scripts', () => expect(CORPUS_CASES.length).toBeGreaterThanOrEqual(35));

  const cases = (tls: boolean) => CORPUS_CASES.filter((c) => tls || !c.httpsOnly).map((c) => [c.file, c] as const);
  describe.each([
    ['HTTP receiver', false],
    ['HTTPS receiver, certificate from a private CA', true],
  ])('%s', (_name, tls) => {
    it.each(cases(tls))('%s', async (file, c) => {
      const target = tls ? tlsReceiver : receiver;
      const outcome = await runner(join(CORPUS_DIR, file), [], target);
      if (outcome.status !== 'ok' && process.env.CORPUS_DEBUG) console.error(file, JSON.stringify(outcome));
      expect(outcome.code).toBe(outcome.status === 'ok' ? 0 : 1);
      await c.check(outcome, target, 'runner');
      // Secret values never reach the Runner's output.
      expect(JSON.stringify(outcome)).not.toMatch(/tok-123|key-456|PRIVATE KEY/);
    });
  });
});

/** Refusals and failures as the libraries document them, through the real bridge (the stand-in has no policy). */
const FAILURES: Array<{ name: string; source: string; check(outcome: CorpusOutcome, receiver: Receiver): void | Promise<void> }> = [
  {
    name: 'axios rejects a host not in allowHosts with an AxiosError carrying the code, no response',
    source: `const axios = require('axios');
module.exports = async function (user, context) {
  try {
    await axios.post('https://crm.not-allowed.example/contacts', { email: user.email });
  } catch (err) {
    console.log('axios', err.isAxiosError, err.code, err.response === undefined);
    throw err;
  }
};`,
    check(outcome) {
      expect(outcome).toMatchObject({ status: 'error', error: { name: 'TypeError', message: 'fetch: host crm.not-allowed.example:443 is not in allowHosts' } });
      expect(outcome.logs).toEqual([
        { level: 'warn', message: '[hookline] fetch: host crm.not-allowed.example:443 is not in allowHosts' },
        { level: 'log', message: 'axios true HOST_NOT_ALLOWED true' },
      ]);
    },
  },
  {
    name: "request's callback gets err (with its code) for a host not allowed, and the response for a 500",
    source: `const request = require('request');
module.exports = function (user, context, cb) {
  request.post({ url: 'http://10.1.2.3/leads', json: { email: user.email } }, function (err) {
    console.log('refused', err && err.code, err && err.message);
    request.post({ url: context.webtask.secrets.BASE_URL + '/status/500/leads', json: { email: user.email } }, function (err2, response, body) {
      console.log('answered', err2, response.statusCode, body.error);
      cb(null, response.statusCode);
    });
  });
};`,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'ok', response: 500 });
      expect(logText(outcome)).toContain('log: refused HOST_NOT_ALLOWED fetch: host 10.1.2.3:80 is not in allowHosts');
      expect(logText(outcome)).toContain('log: answered null 500 boom');
      expect(receiver.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual(['POST /status/500/leads {"email":"ada@example.com"}']);
    },
  },
  {
    name: 'node-fetch: a port of 127.0.0.1 not allowed is a FetchError with the code; a 500 is a response',
    source: `const fetch = require('node-fetch');
module.exports = async function (user, context) {
  const refused = await fetch('http://127.0.0.1:9/events').catch((e) => e);
  console.log(refused.name, refused.type, refused.code);
  const res = await fetch(context.webtask.secrets.BASE_URL + '/status/500/events', { method: 'POST', body: JSON.stringify({ id: user.id }) });
  console.log('status', res.status, res.ok, (await res.json()).error);
};`,
    check(outcome) {
      expect(outcome.status).toBe('ok');
      expect(logText(outcome)).toContain('log: FetchError system HOST_NOT_ALLOWED');
      expect(logText(outcome)).toContain('log: status 500 false boom');
    },
  },
  {
    name: '@slack/webhook rejects a 500 with its IncomingWebhookHTTPError (code slack_webhook_http_error, statusCode)',
    source: `const { IncomingWebhook } = require('@slack/webhook');
exports.onExecutePostUserRegistration = async (event) => {
  const webhook = new IncomingWebhook(event.secrets.BASE_URL + '/status/500/slack');
  await webhook.send({ text: 'New signup: ' + event.user.email }).catch((err) => {
    console.log(err.constructor.name, err.code, err.statusCode, err.body);
    throw err;
  });
};`,
    check(outcome, receiver) {
      expect(outcome).toMatchObject({ status: 'error', error: { message: 'An HTTP protocol error occurred: statusCode = 500' } });
      expect(logText(outcome)).toContain('log: IncomingWebhookHTTPError slack_webhook_http_error 500 {"error":"boom"}');
      expect(JSON.parse(receiver.requests[0].body)).toEqual({ text: 'New signup: ada@example.com' });
    },
  },
  {
    name: "graphql-request rejects a 500 with a ClientError carrying the response's status",
    source: `const { request } = require('graphql-request');
module.exports = async function (user, context) {
  await request(context.webtask.secrets.BASE_URL + '/status/500/graphql', 'mutation { touch(email: $email) }', { email: user.email })
    .catch((err) => { console.log(err.constructor.name, err.response.status); throw err; });
};`,
    check(outcome) {
      expect(outcome.status).toBe('error');
      expect(logText(outcome)).toContain('log: ClientError 500');
    },
  },
  {
    name: 'slack-notify after cb() to a host not allowed: the delivery succeeds and the failure is logged',
    source: `module.exports = function (user, context, cb) {
  require('slack-notify')('https://hooks.slack.com/services/T0/B0/X').success({ text: 'New user ' + user.email });
  cb();
};`,
    check(outcome) {
      expect(outcome.status).toBe('ok');
      expect(outcome.logs).toContainEqual({ level: 'warn', message: '[hookline] fetch: host hooks.slack.com:443 is not in allowHosts' });
      expect(outcome.logs).toContainEqual({
        level: 'warn',
        message: '[hookline] a request started by the hook failed after it completed: fetch: host hooks.slack.com:443 is not in allowHosts',
      });
    },
  },
];

describe('library failure paths through the Runner', () => {
  it.each(FAILURES.map((f, i) => [f.name, f, i] as const))('%s', async (_name, f, i) => {
    const script = join(dir, `failure-${i}.js`);
    writeFileSync(script, f.source);
    await f.check(await runner(script), receiver);
  });
});
