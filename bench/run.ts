/**
 * `npm run bench`: runs every `*.bench.js` beside this file, one child process each (so one benchmark's
 * heap and timers never skew another), and prints their reports in order. `npm run bench -- delivery sandbox`
 * runs the named ones; `*.soak.js` (long) run only when named: `npm run bench -- soak`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js') || (f.endsWith('.soak.js') && only.includes('soak')))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name) || (name === 'soak' && f.endsWith('.soak.js'))))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n# ${file.replace(/\.bench\.js$|\.js$/, '')}\n`);
  try {
    execFileSync(process.execPath, ['--no-node-snapshot', '--expose-gc', join(__dirname, file)], { stdio: 'inherit' });
  } catch {
    failed++;
    process.stderr.write(`benchmark ${file} failed\n`);
  }
}
process.exit(failed ? 1 : 0);
