// The `process` a hook sees (also require('process')): versions, an empty env, nextTick. Nothing of
// the host process. Runs inside the isolate.
/* global HOOKLINE_NODE_VERSION */
const version = typeof HOOKLINE_NODE_VERSION === 'string' ? HOOKLINE_NODE_VERSION : 'v24.0.0';
const startedAt = Date.now();

function nextTick(fn, ...args) {
  if (typeof fn !== 'function') throw new TypeError('process.nextTick: the callback must be a function');
  queueMicrotask(() => fn(...args));
}

function hrtime(previous) {
  const ms = Date.now() - startedAt;
  let seconds = Math.floor(ms / 1000);
  let nanos = (ms % 1000) * 1e6;
  if (Array.isArray(previous)) {
    seconds -= previous[0];
    nanos -= previous[1];
    if (nanos < 0) {
      seconds -= 1;
      nanos += 1e9;
    }
  }
  return [seconds, nanos];
}
hrtime.bigint = () => BigInt(Date.now() - startedAt) * 1000000n;

const process = {
  title: 'hookline',
  version,
  versions: { node: version.slice(1) },
  arch: 'x64',
  platform: 'linux',
  release: { name: 'node' },
  env: {},
  argv: [],
  execArgv: [],
  pid: 1,
  ppid: 0,
  exitCode: undefined,
  nextTick,
  hrtime,
  uptime: () => (Date.now() - startedAt) / 1000,
  cwd: () => '/',
  memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
  emitWarning(warning) {
    if (typeof console !== 'undefined') console.warn(String(warning && warning.message ? warning.message : warning));
  },
  on() { return process; },
  once() { return process; },
  off() { return process; },
  removeListener() { return process; },
  listeners: () => [],
  emit: () => false,
  binding() {
    throw new Error('process.binding is not available in a Hookline hook');
  },
  exit() {
    throw new Error('process.exit is not available in a Hookline hook: call cb() or return');
  },
};

export { process };
export default process;
