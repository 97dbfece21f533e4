/* exported hooklineBootstrap */
'use strict';

/**
 * Runs once in each hook's context (compat.scripts.ts compiles it into a closure of the worker's bridge
 * reference, `hostRef`, and the sandbox limits). It installs `console`, `fetch`, timers and the Auth0 forms, then returns `enter`: the one
 * function the worker calls into the context. Everything crosses as strings and numbers, so no host
 * object, function or prototype is ever reachable from the script. Intrinsics are captured first: a
 * script that replaces `JSON.stringify` or `Promise` changes its own world, not this machinery.
 */
function hooklineBootstrap(hostRef, limits) {
  const g = globalThis;
  const applyIgnored = hostRef.applyIgnored;
  const applySync = hostRef.applySync;
  const reflectApply = Reflect.apply;
  const JSONparse = JSON.parse;
  const JSONstringify = JSON.stringify;
  const StringC = String;
  const PromiseC = Promise;
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseThen = Promise.prototype.then;
  const MapC = Map;
  const ErrorC = Error;
  const TypeErrorC = TypeError;
  const isArray = Array.isArray;
  const objectEntries = Object.entries;
  const objectAssign = Object.assign;
  const getPrototypeOf = Object.getPrototypeOf;
  const dateNow = Date.now;
  const AsyncFunctionProto = getPrototypeOf(async function () {});
  const MAX_RESPONSE = limits.maxResponseBytes;
  const MAX_LINE = limits.maxLogLineBytes;
  const MAX_LINES = limits.maxLogLines;
  const MAX_CACHE_ENTRIES = limits.maxCacheEntries;
  const MAX_CACHE_VALUE = limits.maxCacheValueBytes;

  function send(kind, id, a, b) {
    reflectApply(applyIgnored, hostRef, [undefined, [kind, id, a, b]]);
  }

  const invs = new MapC();
  let current = 0;
  let nextTimer = 0;
  let nextFetch = 0;
  let nextStorage = 0;
  let hook = null;
  let form = null;
  let webtaskTemplate = '{}';
  const cache = new MapC();

  function safeString(value) {
    try {
      if (typeof value === 'string') return value;
      if (value instanceof ErrorC) return StringC(value.stack || value.message);
      if (typeof value === 'object' && value !== null) {
        const text = JSONstringify(value);
        return text === undefined ? StringC(value) : text;
      }
      return StringC(value);
    } catch {
      try { return StringC(value); } catch { return '[unprintable]'; }
    }
  }

  function log(level, args) {
    // Past the line limit the host drops every line: stop sending them, so a console flood does not
    // bury the worker's own thread in messages (the host still records that the limit was reached).
    const inv = invs.get(current);
    if (inv) {
      inv.logLines = (inv.logLines || 0) + 1;
      if (inv.logLines > MAX_LINES + 1) return;
    }
    let text = '';
    for (let i = 0; i < args.length && text.length <= MAX_LINE; i++) text += (i ? ' ' : '') + safeString(args[i]);
    send('log', current, level, text.length > MAX_LINE ? text.slice(0, MAX_LINE) + '...' : text);
  }

  const consoleObject = {
    log: function log_() { log('log', arguments); },
    info: function info() { log('info', arguments); },
    warn: function warn() { log('warn', arguments); },
    error: function error() { log('error', arguments); },
    debug: function debug() { log('log', arguments); },
  };

  function describeError(error) {
    let name = 'Error';
    let message = 'the hook failed with a value that cannot be read';
    try {
      if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
        const n = error.name;
        const m = error.message;
        if (typeof n === 'string') name = n;
        message = typeof m === 'string' ? m : safeString(error);
      } else {
        message = safeString(error);
      }
    } catch {
      // An error whose fields cannot be read keeps the defaults.
    }
    if (typeof name !== 'string') name = 'Error';
    if (typeof message !== 'string') message = 'the hook failed with a value that cannot be read';
    return JSONstringify({ name: name.slice(0, 100), message: message.slice(0, 2000) });
  }

  function serialise(id, value) {
    if (value === undefined) return undefined;
    try {
      const text = JSONstringify(value);
      if (text === undefined) return undefined;
      if (text.length > MAX_RESPONSE) {
        send('log', id, 'warn', '[hookline] response larger than ' + MAX_RESPONSE + ' bytes as JSON; dropped');
        return undefined;
      }
      return text;
    } catch {
      send('log', id, 'warn', '[hookline] response cannot be serialised to JSON; dropped');
      return undefined;
    }
  }

  function complete(id, inv, error, response) {
    if (inv.completed) {
      send('log', id, 'warn', '[hookline] the callback was called more than once; the second call is ignored');
      return;
    }
    inv.completed = true;
    // The result settles the worker's call into 'invoke' (a promise), so it needs no bridge message.
    if (error !== undefined && error !== null) inv.settle(['error', describeError(error)]);
    else inv.settle(['ok', serialise(id, response)]);
    // Not forgotten yet: microtasks queued before cb() (a library's request chain) may still start a
    // request. The worker enters again ('idle') once they ran, and the invocation is forgotten then.
  }

  /**
   * After hooks' runs and the microtasks they queued: forgets each invocation that completed and has no
   * timer or request pending. Answers the ids it forgot (JSON), which need no further entry.
   */
  function idle(idsJson) {
    const ids = JSONparse(idsJson);
    const forgotten = [];
    for (let i = 0; i < ids.length; i++) {
      const inv = invs.get(ids[i]);
      if (!inv || !inv.completed || inv.timers.size > 0 || inv.fetches.size > 0 || inv.storage.size > 0) continue;
      inv.ended = true;
      invs.delete(ids[i]);
      forgotten.push(ids[i]);
    }
    return JSONstringify(forgotten);
  }

  function isThenable(value) {
    try { return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function'; }
    catch { return false; }
  }

  function settle(id, inv, value) {
    reflectApply(promiseThen, promiseResolve(value), [
      function (response) { complete(id, inv, null, response); },
      function (error) { complete(id, inv, error === undefined || error === null ? new ErrorC('rejected with ' + error) : error); },
    ]);
  }

  function setTimeout_(fn, ms) {
    const id = current;
    const inv = invs.get(id);
    if (typeof fn !== 'function') throw new TypeErrorC('setTimeout: the callback must be a function');
    if (!inv || inv.ended) return 0;
    const tid = ++nextTimer;
    const args = [];
    for (let i = 2; i < arguments.length; i++) args.push(arguments[i]);
    inv.timers.set(tid, { fn: fn, args: args, interval: this === 'interval' ? Math.max(1, +ms || 0) : 0 });
    send('timer', id, tid, +ms || 0);
    return tid;
  }

  function clearTimeout_(tid) {
    for (const [id, inv] of invs) {
      if (inv.timers.delete(tid)) { send('clear', id, tid); return; }
    }
  }

  function headerPairs(headers) {
    const out = [];
    if (!headers) return out;
    if (typeof headers.forEach === 'function' && !isArray(headers)) {
      headers.forEach(function (value, name) { out.push([StringC(name), StringC(value)]); });
      return out;
    }
    const entries = isArray(headers) ? headers : objectEntries(headers);
    for (const pair of entries) out.push([StringC(pair[0]), StringC(pair[1])]);
    return out;
  }

  function makeResponse(r) {
    const headers = new MapC();
    for (const pair of r.headers) headers.set(pair[0], headers.has(pair[0]) ? headers.get(pair[0]) + ', ' + pair[1] : pair[1]);
    const body = r.body;
    return {
      status: r.status,
      statusText: r.statusText,
      ok: r.status >= 200 && r.status < 300,
      url: r.url,
      redirected: false,
      headers: {
        get: function (name) { const v = headers.get(StringC(name).toLowerCase()); return v === undefined ? null : v; },
        has: function (name) { return headers.has(StringC(name).toLowerCase()); },
        forEach: function (fn) { headers.forEach(function (v, k) { fn(v, k); }); },
      },
      text: function () { return promiseResolve(body); },
      json: function () { return new PromiseC(function (resolve) { resolve(JSONparse(body)); }); },
    };
  }

  function fetch_(input, init) {
    const id = current;
    const inv = invs.get(id);
    return new PromiseC(function (resolve, reject) {
      if (!inv || inv.ended) return reject(new TypeErrorC('fetch: the invocation is over'));
      const options = init || {};
      const url = typeof input === 'string' ? input : input && typeof input.url === 'string' ? input.url : StringC(input);
      const headers = headerPairs(options.headers);
      let body = options.body;
      if (body !== undefined && body !== null && typeof body !== 'string') {
        body = JSONstringify(body);
        if (!headers.some(function (h) { return h[0].toLowerCase() === 'content-type'; })) headers.push(['content-type', 'application/json']);
      }
      const fid = ++nextFetch;
      inv.fetches.set(fid, { resolve: resolve, reject: reject, url: url });
      send('fetch', id, fid, JSONstringify({ url: url, method: StringC(options.method || 'GET'), headers: headers, body: body === null ? undefined : body }));
    });
  }

  /**
   * Auth0's context.webtask.storage for one invocation: get(cb) and set(data, { force }, cb), answered
   * by the app (which keeps the data and the version this run read) through the worker. Callbacks run
   * later, as Webtask's did; without a callback the call returns a promise.
   */
  function makeStorage(id) {
    function call(request, cb, map) {
      const inv = invs.get(id);
      let resolve;
      let reject;
      const promise = typeof cb === 'function' ? undefined : new PromiseC(function (res, rej) { resolve = res; reject = rej; });
      function done(error, value) {
        if (typeof cb === 'function') return reflectApply(cb, undefined, error ? [error] : [null, value]);
        if (error) reject(error); else resolve(value);
      }
      if (!inv || inv.ended) {
        done(new ErrorC('storage: the invocation is over'));
        return promise;
      }
      const sid = ++nextStorage;
      inv.storage.set(sid, { done: done, map: map });
      send('storage', id, sid, request);
      return promise;
    }
    function fail(message, code, cb) {
      const error = new ErrorC(message);
      error.code = code;
      if (typeof cb !== 'function') return new PromiseC(function (_resolve, reject) { reject(error); });
      reflectApply(promiseThen, promiseResolve(), [function () { cb(error); }]);
    }
    return {
      get: function get(options, cb) {
        if (typeof options === 'function') cb = options;
        return call('{"op":"get"}', cb, function (r) { return r.data === null ? undefined : JSONparse(r.data); });
      },
      set: function set(data, options, cb) {
        if (typeof options === 'function') { cb = options; options = undefined; }
        let text;
        try {
          text = JSONstringify(data);
        } catch (error) {
          return fail('storage.set: the data cannot be serialised to JSON: ' + StringC(error && error.message), 400, cb);
        }
        if (text === undefined) return fail('storage.set: the data must be a JSON value (an object, usually)', 400, cb);
        const force = !!(options && options.force);
        return call(JSONstringify({ op: 'set', data: text, force: force }), cb, function () { return undefined; });
      },
    };
  }

  function settleStorage(id, sid, outcome) {
    const inv = invs.get(id);
    const pending = inv && inv.storage.get(sid);
    if (!pending) return;
    inv.storage.delete(sid);
    current = id;
    const result = JSONparse(outcome);
    let error = null;
    let value;
    if (result.error !== undefined) {
      error = new ErrorC(StringC(result.error));
      error.code = result.code;
    } else {
      try { value = pending.map(result); } catch (e) { error = e; }
    }
    try {
      pending.done(error, value);
    } catch (thrown) {
      if (!inv.completed) complete(id, inv, thrown);
      else send('log', id, 'error', '[hookline] uncaught error in a storage callback after the hook completed: ' + JSONparse(describeError(thrown)).message);
    }
  }

  function makeApi() {
    return {
      cache: {
        get: function (key) {
          const entry = cache.get(StringC(key));
          if (!entry) return undefined;
          if (entry.expires_at <= dateNow()) { cache.delete(StringC(key)); return undefined; }
          return { value: entry.value, expires_at: entry.expires_at };
        },
        set: function (key, value, options) {
          const text = StringC(value);
          if (text.length > MAX_CACHE_VALUE) return { type: 'error', code: 'VALUE_TOO_LARGE' };
          const ttl = options && typeof options.ttl === 'number' ? options.ttl : 15 * 60 * 1000;
          cache.delete(StringC(key));
          if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value);
          cache.set(StringC(key), { value: text, expires_at: dateNow() + ttl });
          return { type: 'success' };
        },
        delete: function (key) { cache.delete(StringC(key)); return { type: 'success' }; },
      },
    };
  }

  function load(id, wrapper, metaJson) {
    current = id;
    const meta = JSONparse(metaJson);
    webtaskTemplate = JSONstringify(meta.webtask);
    // The compatibility layer's loader (installed just before): CommonJS module, require() of the allow-list.
    const exported = g.__hooklineCompat.loadModule(wrapper, meta.filename);
    if (exported && typeof exported.onExecutePostUserRegistration === 'function') {
      hook = exported.onExecutePostUserRegistration;
      form = 'actions';
    } else if (typeof exported === 'function') {
      hook = exported;
      form = getPrototypeOf(exported) === AsyncFunctionProto ? 'async' : 'callback';
    } else {
      throw new TypeErrorC('a hook must export a function: module.exports = function (user, context, cb) {...}, ' +
        'module.exports = async function (user, context) {...}, exports.onExecutePostUserRegistration = async (event, api) => {...}, ' +
        'export default function (user, context, cb) {...}, or a file holding only function (user, context, cb) {...}');
    }
    return form;
  }

  /** Auth0's context.webtask for one invocation: its secrets (also as data, as Webtask merged them), meta, headers. */
  function webtaskFor(id, secrets, eventId) {
    const webtask = JSONparse(webtaskTemplate);
    webtask.storage = makeStorage(id);
    webtask.secrets = secrets;
    webtask.data = objectAssign({}, secrets);
    if (typeof eventId === 'string') webtask.headers['x-hookline-event-id'] = eventId;
    return webtask;
  }

  function invoke(id, payload) {
    current = id;
    const p = JSONparse(payload);
    let settle;
    const outcome = new PromiseC(function (resolve) { settle = resolve; });
    const inv = { timers: new MapC(), fetches: new MapC(), storage: new MapC(), completed: false, ended: false, settle: settle };
    invs.set(id, inv);
    run(id, inv, p);
    return outcome;
  }

  function run(id, inv, p) {
    const secrets = p.secrets;
    try {
      if (form === 'actions') {
        const event = p.input.actionsEvent;
        event.secrets = secrets;
        return settle(id, inv, reflectApply(promiseThen, promiseResolve(hook(event, makeApi())), [function () { return undefined; }]));
      }
      const context = p.input.context;
      context.webtask = webtaskFor(id, secrets, p.input.eventId);
      context.secrets = secrets;
      if (form === 'async') return settle(id, inv, hook(p.input.user, context));
      const cb = function (error, response) { complete(id, inv, error, response); };
      const returned = hook(p.input.user, context, cb);
      if (isThenable(returned)) {
        if (hook.length < 3) return settle(id, inv, returned);
        reflectApply(promiseThen, promiseResolve(returned), [undefined, function (error) { complete(id, inv, error); }]);
      }
    } catch (error) {
      complete(id, inv, error);
    }
  }

  function fireTimer(id, tid) {
    const inv = invs.get(id);
    const timer = inv && inv.timers.get(tid);
    if (!timer) return;
    current = id;
    if (timer.interval) send('timer', id, tid, timer.interval);
    else inv.timers.delete(tid);
    try {
      reflectApply(timer.fn, undefined, timer.args);
    } catch (error) {
      if (!inv.completed) complete(id, inv, error);
      else send('log', id, 'error', '[hookline] uncaught error in a timer after the hook completed: ' + JSONparse(describeError(error)).message);
    }
  }

  function settleFetch(id, fid, outcome) {
    const inv = invs.get(id);
    const pending = inv && inv.fetches.get(fid);
    if (!pending) return;
    inv.fetches.delete(fid);
    current = id;
    const result = JSONparse(outcome);
    if (result.error) {
      if (inv.completed) send('log', id, 'warn', '[hookline] a request started by the hook failed after it completed: ' + result.error);
      // A refusal is a TypeError, as WHATWG fetch reports a request it will not make; a network failure is
      // the system error (message and code), as Node's HTTP clients report it.
      const error = result.refused ? new TypeErrorC(result.error) : new ErrorC(result.error);
      if (typeof result.code === 'string') error.code = result.code;
      pending.reject(error);
    } else {
      if (inv.completed && (result.response.status < 200 || result.response.status >= 300)) {
        send('log', id, 'warn', '[hookline] a request started by the hook answered ' + result.response.status + ' after it completed');
      }
      pending.resolve(makeResponse(result.response));
    }
  }

  function end(id) {
    const inv = invs.get(id);
    if (!inv) return;
    if (!inv.completed) inv.settle(['ended']);
    inv.ended = true;
    inv.timers.clear();
    for (const pending of inv.fetches.values()) pending.reject(new TypeErrorC('fetch: cancelled, the invocation is over'));
    const storage = inv.storage;
    inv.storage = new MapC();
    for (const pending of storage.values()) {
      try { pending.done(new ErrorC('storage: cancelled, the invocation is over')); } catch { /* the invocation is over */ }
    }
    invs.delete(id);
  }

  /** Synchronous host calls for the Node built-ins (crypto): strings in, a string out. */
  function hostCall(kind, op, argsJson) {
    if (typeof argsJson !== 'string') throw new TypeErrorC('host call: the arguments must be JSON text');
    const answer = reflectApply(applySync, hostRef, [undefined, ['host', current, StringC(kind), StringC(op) + '\n' + argsJson]]);
    if (typeof answer !== 'string') throw new ErrorC(StringC(kind) + '.' + StringC(op) + ': the sandbox did not answer (the invocation is over)');
    return answer;
  }

  g.global = g;
  g.console = consoleObject;
  Object.defineProperty(g, '__hooklineHostCall', { value: hostCall, writable: false, configurable: false, enumerable: false });
  g.fetch = fetch_;
  g.setTimeout = setTimeout_;
  g.clearTimeout = clearTimeout_;
  g.setInterval = function (_fn, _ms) { return reflectApply(setTimeout_, 'interval', arguments); };
  g.clearInterval = clearTimeout_;
  g.queueMicrotask = function (fn) { reflectApply(promiseThen, promiseResolve(), [function () { fn(); }]); };
  // Shared memory gives high-resolution timers; WebAssembly memory lives outside the heap limit.
  delete g.SharedArrayBuffer;
  delete g.Atomics;
  delete g.WebAssembly;

  return function enter(kind, id, a, b) {
    if (kind === 'invoke') return invoke(id, a);
    if (kind === 'timer') return fireTimer(id, a);
    if (kind === 'fetch') return settleFetch(id, a, b);
    if (kind === 'storage') return settleStorage(id, a, b);
    if (kind === 'idle') return idle(a);
    if (kind === 'end') return end(id);
    if (kind === 'load') return load(id, a, b);
  };
}
