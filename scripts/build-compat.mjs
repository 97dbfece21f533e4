// `npm run build` step: bundles the isolate-side sources into the compiled package, where the sandbox
// finds them beside its own files (dist/src/hookline/hooks/isolate/compat-runtime.json). Rebuilds only
// what changed; marks the build done for build-if-stale.mjs.
import { createRequire } from 'node:module';
import { cpSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ensureCompatRuntime, COMPAT_RUNTIME_FILE_NAME } = require(join(root, 'dist/src/hookline/hooks/compat/compat-runtime.js'));

const runtime = ensureCompatRuntime(
  join(root, 'src/hookline/hooks/isolate'),
  join(root, 'dist/src/hookline/hooks/isolate', COMPAT_RUNTIME_FILE_NAME),
  join(root, 'package-lock.json'),
);
// Bundled at run time with a hook's own npm dependencies (esbuild aliases `os` to it).
cpSync(join(root, 'src/hookline/hooks/isolate/shims'), join(root, 'dist/src/hookline/hooks/isolate/shims'), { recursive: true });
if (process.env.HOOKLINE_BUILD_VERBOSE) {
  const kb = (text) => `${Math.round(text.length / 1024)} KB`;
  const sizes = Object.entries(runtime.moduleSources).map(([id, code]) => `${id} ${kb(code)}`);
  process.stderr.write(`sandbox-compat: globals ${kb(runtime.globalsSource)}; ${sizes.join(', ')}\n`);
}
writeFileSync(join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
