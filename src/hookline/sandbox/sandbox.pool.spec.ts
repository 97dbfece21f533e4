import { createHash } from 'node:crypto';
import { SandboxPool } from './sandbox.pool';
import type { HookInvocation } from './sandbox.types';

function script(source: string, filename = 'hook.js') {
  return { filename, source, hash: createHash('sha256').update(source).digest('hex') };
}

const input = {
  user: { id: 'u1', email: 'ada@example.com', tenant: 'acme' },
  context: { requestLanguage: 'en', connection: { id: 'con_1', name: 'db', tenant: 'acme' } },
  actionsEvent: { user: { user_id: 'u1', email: 'ada@example.com' }, tenant: { id: 'acme' } },
};

describe('SandboxPool', () => {
  const pool = new SandboxPool({ size: 1 });
  afterAll(() => pool.close());

  const run = (source: string, extra: Partial<HookInvocation> = {}) =>
    pool.invoke({
      tenant: 'acme',
      hookId: 'acme/hook/' + createHash('sha1').update(source).digest('hex').slice(0, 8),
      script: script(source),
      input,
      secrets: { API_KEY: 'sk_live_123456' },
      allowHosts: [],
      timeoutMs: 2000,
      memoryMb: 32,
      ...extra,
    });

  it('runs an Auth0 callback hook with user, context and secrets', async () => {
    const result = await run(`module.exports = function (user, context, cb) {
      console.log('hello', user.email, context.connection.name);
      cb(null, { key: context.webtask.secrets.API_KEY === context.secrets.API_KEY });
    };`);
    expect(result).toMatchObject({ status: 'ok', response: { key: true }, error: null });
    expect(result.logs).toEqual([{ level: 'log', message: 'hello ada@example.com db' }]);
  });

  it('runs an async hook and an Actions hook', async () => {
    await expect(run('module.exports = async function (user) { return user.id; };')).resolves.toMatchObject({ status: 'ok', response: 'u1' });
    const actions = await run(`exports.onExecutePostUserRegistration = async (event, api) => {
      api.cache.set('k', 'v');
      console.info(event.user.email, event.secrets.API_KEY, api.cache.get('k').value);
    };`);
    expect(actions).toMatchObject({ status: 'ok', logs: [{ level: 'info', message: 'ada@example.com [REDACTED] v' }] });
  });

  it('reports a thrown error, a timeout and a syntax error', async () => {
    await expect(run('module.exports = async () => { throw new RangeError("nope"); };')).resolves.toMatchObject({
      status: 'error',
      error: { name: 'RangeError', message: 'nope' },
    });
    await expect(run('module.exports = function (u, c, cb) {};', { timeoutMs: 300 })).resolves.toMatchObject({ status: 'timeout' });
    await expect(run('module.exports = function (u, c, cb) { while (true) {} };', { timeoutMs: 300 })).resolves.toMatchObject({ status: 'timeout' });
    const syntax = await run('module.exports = function (\n{');
    expect(syntax).toMatchObject({ status: 'error', error: { name: 'SyntaxError' } });
  });
});
