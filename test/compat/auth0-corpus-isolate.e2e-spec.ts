// Runs every script of test/auth0-corpus in a real isolated-vm isolate with the compat layer (a stand-in
// fetch without the sandbox's policy), against a real HTTP receiver on 127.0.0.1, and checks what the
// receiver got and how the hook ended. The same table runs through the Runner in test/auth0-corpus.e2e-spec.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRequires } from '../../src/hookline/hooks/compat/require-check';
import { buildWebtaskContext } from '../../src/hookline/hooks/compat/webtask-context';
import { CORPUS_CASES, CORPUS_CONNECTION, CORPUS_DIR, CORPUS_USER, corpusSecrets } from '../support/compat/auth0-corpus.cases';
import { CompatIsolate } from '../support/compat/compat-isolate.harness';
import { compatAnswer } from '../support/compat/compat-answers';
import { Receiver } from '../support/receiver';

let receiver: Receiver;
let sandbox: CompatIsolate;
let secrets: Record<string, string>;

function hookArgs(): [unknown, unknown] {
  const webtask = buildWebtaskContext({ tenant: 'acme', hookName: 'corpus', secrets, eventId: 'evt-1' });
  return [CORPUS_USER, { requestLanguage: 'en-us', connection: CORPUS_CONNECTION, webtask, secrets }];
}

function actionArgs(): [unknown, unknown] {
  const user = { ...CORPUS_USER, user_id: 'auth0|' + CORPUS_USER.id };
  return [{ user, connection: { id: CORPUS_CONNECTION.id, name: CORPUS_CONNECTION.name }, tenant: { id: 'acme' }, secrets }, {}];
}

beforeAll(async () => {
  receiver = await Receiver.start({ answer: compatAnswer });
  const closed = await Receiver.start({ answer: compatAnswer }); // a port with nothing listening: connections are refused
  const deadUrl = closed.url;
  await closed.close();
  secrets = corpusSecrets(receiver.url, deadUrl);
  sandbox = new CompatIsolate();
});
afterAll(async () => {
  sandbox.dispose();
  await receiver.close();
});
beforeEach(() => receiver.reset());

describe('Auth0 corpus in a real isolate', () => {
  it.each(CORPUS_CASES.filter((c) => !c.runnerOnly).map((c) => [c.file, c] as const))('%s', async (file, c) => {
    const kind = c.kind ?? 'hook';
    const outcome = await sandbox.runHook(readFileSync(join(CORPUS_DIR, file), 'utf8'), file, kind === 'hook' ? hookArgs() : actionArgs(), kind);
    await c.check(outcome, receiver, 'isolate');
  });
});

describe('static check of the corpus', () => {
  it('covers every script, and flags exactly what fails or warns at run time: aws-sdk (error), axios@0.21.1 and a guarded newrelic (warnings)', () => {
    const files = readdirSync(CORPUS_DIR).sort();
    expect(files.length).toBeGreaterThanOrEqual(35);
    expect(CORPUS_CASES.map((c) => c.file).sort()).toEqual(files);
    // The npm packages the corpus uses are installed (devDependencies), as a hook's dependencies would be.
    const installed = new Set(['jsonwebtoken', '@supabase/supabase-js', 'auth0', 'fast-xml-parser', 'aws4']);
    const flagged = files.flatMap((file) =>
      checkRequires(readFileSync(join(CORPUS_DIR, file), 'utf8'), file, undefined, installed).map((p) => `${p.severity} ${p.message.split(': ')[0]}`),
    );
    expect(flagged).toEqual(['warning 06-axios-versioned-delete.js:2:15', 'error 22-unsupported-module.js:2:13', 'warning 35-optional-require.js:4:14']);
  });
});
