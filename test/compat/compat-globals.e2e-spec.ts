// The standard globals and the fetch adapter, evaluated in a real isolate (with the harness's stand-in fetch).
import { CompatIsolate } from '../support/compat/compat-isolate.harness';
import { compatAnswer } from '../support/compat/compat-answers';
import { Receiver } from '../support/receiver';

let sandbox: CompatIsolate;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = new CompatIsolate();
  receiver = await Receiver.start({ answer: compatAnswer });
});
afterAll(async () => {
  sandbox.dispose();
  await receiver.close();
});
beforeEach(() => receiver.reset());

describe('standard globals in a bare isolate context', () => {
  it.each([
    ['URL', "(() => { const u = new URL('../b?x=1#h', 'https://user:pw@example.com:8443/a/'); return [u.href, u.host, u.pathname, u.searchParams.get('x'), u.username]; })()",
      ['https://user:pw@example.com:8443/b?x=1#h', 'example.com:8443', '/b', '1', 'user']],
    ['URL rejects invalid input', "(() => { try { new URL('not a url'); return 'no error'; } catch (e) { return e instanceof TypeError; } })()", true],
    ['URLSearchParams', "(() => { const p = new URLSearchParams({ a: '1 2', b: 'é&' }); p.append('a', '3'); return [p.toString(), p.getAll('a')]; })()",
      ['a=1+2&b=%C3%A9%26&a=3', ['1 2', '3']]],
    ['TextEncoder/TextDecoder', "(() => { const bytes = new TextEncoder().encode('héllo €'); return [bytes.length, new TextDecoder().decode(bytes)]; })()", [10, 'héllo €']],
    ['atob/btoa', "[btoa('user:pass'), atob('dXNlcjpwYXNz')]", ['dXNlcjpwYXNz', 'user:pass']],
    ['AbortController', "(() => { const c = new AbortController(); let seen = 0; c.signal.addEventListener('abort', () => seen++); c.abort('why'); c.abort(); return [c.signal.aborted, c.signal.reason, seen]; })()", [true, 'why', 1]],
    ['Headers', "(() => { const h = new Headers({ 'Content-Type': 'text/plain' }); h.append('X-A', '1'); h.append('x-a', '2'); return [h.get('content-type'), h.get('X-A'), [...h.keys()]]; })()",
      ['text/plain', '1, 2', ['content-type', 'x-a']]],
    ['FormData', "(() => { const f = new FormData(); f.append('a', 1); f.append('a', '2'); f.set('b', 'x'); return [f.getAll('a'), f.get('b'), f.has('c'), String(Object.prototype.toString.call(f))]; })()",
      [['1', '2'], 'x', false, '[object FormData]']],
    ['queueMicrotask', "new Promise((resolve) => { const order = []; queueMicrotask(() => order.push('micro')); order.push('sync'); Promise.resolve().then(() => resolve(order)); })",
      ['sync', 'micro']],
    // Buffer and process are the sandbox's own (isolate/node/): nothing of the host process.
    ['no Node globals leak in', "[typeof process.dlopen, Object.keys(process.env).length, process.pid, typeof Buffer.from, typeof require]", ['undefined', 0, 1, 'function', 'function']],
  ])('%s', async (_name, expression, expected) => {
    expect(await sandbox.evaluate(expression)).toEqual(expected);
  });

  it('AbortSignal.timeout aborts with a TimeoutError (needs the sandbox setTimeout)', async () => {
    expect(await sandbox.evaluate("new Promise((resolve) => { const s = AbortSignal.timeout(20); s.addEventListener('abort', () => resolve([s.aborted, s.reason.name])); })"))
      .toEqual([true, 'TimeoutError']);
  });
});

describe('fetch adapter over the primitive', () => {
  it('sends Headers, URL objects and FormData; exposes status, ok, headers and text/json', async () => {
    const result = await sandbox.evaluate(`(async () => {
      const form = new FormData(); form.append('k', 'v');
      const res = await fetch(new URL('/x?y=1', '${receiver.url}'), { method: 'post', headers: new Headers({ 'X-Token': 't' }), body: form });
      const clone = res.clone();
      return [res.status, res.ok, res.statusText, res.headers.get('X-Request-Id'), [...res.headers.keys()].includes('content-type'), (await res.json()).id, await clone.text()];
    })()`);
    expect(result).toEqual([200, true, 'OK', 'r-1', true, 'abc', '{"ok":true,"id":"abc"}']);
    const [req] = receiver.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/x?y=1' });
    expect(req.headers['x-token']).toBe('t');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('rejects an already-aborted signal before any request, and a body it cannot send with a clear error', async () => {
    expect(await sandbox.evaluate(`fetch('${receiver.url}/a', { signal: AbortSignal.abort() }).then(() => 'sent', (e) => e.name)`)).toBe('AbortError');
    expect(await sandbox.evaluate(`fetch('${receiver.url}/a', { method: 'POST', body: new Map([['a', 1]]) }).then(() => 'sent', (e) => e.message)`))
      .toMatch(/sends text bodies only/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends a plain object or array body as JSON, as Hookline fetch always did', async () => {
    expect(await sandbox.evaluate(`fetch('${receiver.url}/j', { method: 'POST', body: { a: [1] } }).then((r) => r.status)`)).toBe(200);
    expect(receiver.requests[0]).toMatchObject({ body: '{"a":[1]}', headers: { 'content-type': 'application/json' } });
  });

  it('stops waiting when the signal aborts mid-request', async () => {
    expect(await sandbox.evaluate(`(() => { const c = new AbortController(); const p = fetch('${receiver.url}/slow', { signal: c.signal }); setTimeout(() => c.abort(), 20); return p.then(() => 'answered', (e) => e.name); })()`))
      .toBe('AbortError');
  });
});

describe('require()', () => {
  it.each([
    ["require('fs')", /^Cannot require "fs" in a Hookline hook: Node built-in modules are not available in the sandbox\. Supported modules: axios, /],
    ["require('node:child_process')", /Node built-in modules are not available/],
    ["require('zlib')", /Node built-in modules are not available/],
    ["require('axios/lib/adapters/http')", /^Cannot require "axios\/lib\/adapters\/http" in a Hookline hook: only the main entry of axios is supported \(use require\('axios'\)\)\.$/],
    ["require('lodash/nope')", /lodash has no "nope"/],
    ['require(42)', /needs a module name as a string/],
  ])('%s fails clearly', async (expression, message) => {
    expect(await sandbox.evaluate(`(() => { try { ${expression}; return 'loaded'; } catch (e) { return e.message; } })()`)).toMatch(message);
  });

  it('names a supported module the sandbox did not load into the context', () => {
    const context = sandbox.createContext([], []);
    expect(() => context.evalSync("require('axios')")).toThrow(
      'Cannot require "axios": axios is supported but was not loaded into this sandbox (require it with a string literal so it can be found before the hook runs).',
    );
  });

  it('sends version warnings to __hooklineCompat.warn when the sandbox replaces it', () => {
    const logs: { level: string; message: string }[] = [];
    const context = sandbox.createContext(logs, ['lodash']);
    context.evalSync("globalThis.seen = []; __hooklineCompat.warn = (m) => seen.push(m); require('lodash@3.10.1'); require('lodash@3.10.1');");
    expect(JSON.parse(context.evalSync('JSON.stringify(seen)') as string)).toEqual([
      "require('lodash@3.10.1'): Hookline provides lodash 4.18.1; using it instead of 3.10.1",
    ]);
    expect(logs).toEqual([]);
  });

  it('returns one instance per context, aliases included', async () => {
    expect(await sandbox.evaluate("[require('axios') === require('axios@1.0.0'), require('request-promise') === require('request-promise-native'), typeof require('lodash/get')]"))
      .toEqual([true, true, 'function']);
  });
});
