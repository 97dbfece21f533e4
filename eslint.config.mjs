import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // JavaScript is linted where it is source: the code that runs inside the isolate, and the build scripts.
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ci/cache/**', '**/*.js', '**/*.mjs', '!src/hookline/hooks/isolate/**/*.js', '!scripts/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Runs in an isolated-vm context: web globals and what the compatibility layer defines, no Node.
    files: ['src/hookline/hooks/isolate/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        ['globalThis', 'console', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'URL', 'URLSearchParams',
          'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'Headers', 'FormData', 'Blob', 'fetch', 'atob', 'btoa', '__hooklineCompat',
          'hooklineConsoleAssert', 'DOMException', 'Event', 'EventTarget'].map((name) => [name, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off', 'no-redeclare': ['error', { builtinGlobals: false }], eqeqeq: ['error', 'always', { null: 'ignore' }] },
  },
  {
    files: ['scripts/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'src/cli/**/*.ts', '**/*.spec.ts'], rules: { 'no-console': 'off' } },
);
