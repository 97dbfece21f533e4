import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let bundled: string | undefined;

/**
 * The script a sandbox worker process runs. From compiled output (`dist/`, `npm start`, the CLI) it is
 * `sandbox.worker.js` beside this file. From TypeScript sources (jest) there is no `.js` to fork, so the
 * worker is bundled once per process with esbuild (a dev dependency), isolated-vm left external.
 */
export function sandboxWorkerEntry(): string {
  const compiled = join(__dirname, '..', 'worker', 'sandbox.worker.js');
  if (existsSync(compiled)) return compiled;
  const source = join(__dirname, '..', 'worker', 'sandbox.worker.ts');
  if (!existsSync(source)) throw new Error(`the sandbox worker script is missing: expected ${compiled}`);
  return (bundled ??= bundleWorker(source));
}

function bundleWorker(source: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const isolatedVm = require.resolve('isolated-vm');
  const outfile = join(tmpdir(), `hookline-sandbox-worker-${process.pid}-${Date.now().toString(36)}.js`);
  const result = esbuild.buildSync({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
    external: ['isolated-vm'],
    write: false,
  });
  // The bundle lives in the temp directory, where `require('isolated-vm')` would not resolve.
  const code = result.outputFiles[0].text.replace(/require\("isolated-vm"\)/g, `require(${JSON.stringify(isolatedVm)})`);
  writeFileSync(outfile, code);
  process.once('exit', () => {
    try {
      unlinkSync(outfile);
    } catch {
      // Already gone.
    }
  });
  return outfile;
}
