// Runs TypeScript in child processes of the e2e tests (the example app, workers) without a build:
// `node -r ./test/support/register-swc.js src/main.ts`. Same swc settings as jest.config.js.
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const { join } = require('node:path');

// The package's entry points, as tsconfig `paths` and jest's moduleNameMapper map them.
const ROOT = join(__dirname, '..', '..');
const ENTRIES = {
  hookline: join(ROOT, 'src', 'index.ts'),
  'hookline/sdk': join(ROOT, 'src', 'hookline', 'connectors', 'sdk', 'index.ts'),
  'hookline/testing': join(ROOT, 'src', 'testing', 'index.ts'),
  'hookline/health': join(ROOT, 'src', 'hookline', 'health', 'index.ts'),
};
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, ENTRIES[request] ?? request, ...rest);
};

require.extensions['.ts'] = function compile(module, filename) {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
