// `npm run build` step: bundles the isolate-side modules into dist/sandbox-compat/.
import { getCompatRuntime } from './compat-runtime';

// Quiet unless asked: `npm start` and the Runner run it every time (it rebuilds only what changed).
const runtime = getCompatRuntime();
if (process.env.HOOKLINE_BUILD_VERBOSE) {
  const sizes = Object.entries(runtime.moduleSources).map(([id, code]) => `${id} ${Math.round(code.length / 1024)} KB`);
  process.stderr.write(`sandbox-compat: globals ${Math.round(runtime.globalsSource.length / 1024)} KB; ${sizes.join(', ')}\n`);
}
