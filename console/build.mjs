// Builds the console into dist/console: app.js, app.css and index.html, each with a gzip copy
// that the server sends to browsers accepting gzip. Run by `npm run build`.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'console');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(out, 'index.html'), readFileSync(join(here, 'src', 'index.html')));

let raw = 0;
let gzipped = 0;
for (const name of readdirSync(out)) {
  const body = readFileSync(join(out, name));
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(join(out, `${name}.gz`), gz);
  raw += statSync(join(out, name)).size;
  gzipped += gz.length;
}
process.stdout.write(`console: dist/console, ${(raw / 1024).toFixed(1)} KiB (${(gzipped / 1024).toFixed(1)} KiB gzipped)\n`);
