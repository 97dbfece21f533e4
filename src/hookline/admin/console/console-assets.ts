import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One file of the built console, with its gzip copy and a validator. */
export interface ConsoleAsset {
  type: string;
  body: Buffer;
  gzip?: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The console's files, built by `npm run build` into `dist/console` of the package and read once.
 * Every URL in them is relative (the page is `<path>/console`, its assets `<path>/console/app.js`, the API
 * `<path>/…`), so a custom admin path, a global prefix or a proxy's prefix needs no configuration.
 */
export class ConsoleAssets {
  private readonly files = new Map<string, ConsoleAsset>();

  constructor(readonly dir: string = defaultConsoleDir()) {}

  get built(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }

  asset(name: string): ConsoleAsset | undefined {
    if (!Object.hasOwn(TYPES, name)) return undefined;
    let asset = this.files.get(name);
    if (!asset) {
      const body = readFileSync(join(this.dir, name));
      const gzPath = join(this.dir, `${name}.gz`);
      asset = { type: TYPES[name], body, gzip: existsSync(gzPath) ? readFileSync(gzPath) : undefined, etag: etagOf(body) };
      this.files.set(name, asset);
    }
    return asset;
  }

  /** The page (`index.html`). */
  page(): ConsoleAsset {
    return this.asset('index.html')!;
  }
}

/** `dist/console` beside the package's package.json, found from this file in `src/` or in `dist/src/`. */
function defaultConsoleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(from, 'console');
    dir = parent;
  }
  return join(dir, 'dist', 'console');
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}
