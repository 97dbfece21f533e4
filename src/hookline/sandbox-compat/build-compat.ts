// `npm run build` step: bundles the isolate-side modules into dist/sandbox-compat/.
import { getCompatRuntime } from './compat-runtime';

const runtime = getCompatRuntime();
const sizes = Object.entries(runtime.moduleSources).map(([id, code]) => `${id} ${Math.round(code.length / 1024)} KB`);
process.stderr.write(`sandbox-compat: globals ${Math.round(runtime.globalsSource.length / 1024)} KB; ${sizes.join(', ')}\n`);
