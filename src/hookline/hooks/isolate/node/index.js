// The Node built-ins a hook may require(), registered as one module ('node') whose members load on
// first use: require('crypto') is this module's `crypto`. The global Buffer and process come from here
// too. Runs inside the isolate; see README.md beside the compat layer.
const loaders = {
  buffer: () => require('./buffer.js'),
  crypto: () => require('./crypto.js'),
  events: () => require('./events.js').default,
  stream: () => require('./stream.js').default,
  util: () => require('./util.js'),
  url: () => require('./url.js').default,
  querystring: () => require('./querystring.js').default,
  path: () => require('./path.js').default,
  assert: () => require('./assert.js').default,
  string_decoder: () => require('./string_decoder.js'),
  process: () => require('./process.js').default,
  http: () => require('./http.js').createModule('http:'),
  https: () => require('./http.js').createModule('https:'),
  timers: () => require('./timers.js'),
};

const loaded = Object.create(null);
for (const name of Object.keys(loaders)) {
  Object.defineProperty(exports, name, {
    enumerable: true,
    get() {
      if (!(name in loaded)) loaded[name] = loaders[name]();
      return loaded[name];
    },
  });
}
