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
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The console's files, built by `npm run build` into `dist/console` of the package and read once.
 * `index.html` is filled in per request with the paths the page was reached at, so a global prefix
 * or another admin path needs no configuration.
 */
export class ConsoleAssets {
  private readonly files = new Map<string, ConsoleAsset>();
  private template?: string;

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

  /** The page for a console reached at `consolePath` (e.g. `/hookline/console`). */
  page(consolePath: string): ConsoleAsset {
    this.template ??= readFileSync(join(this.dir, 'index.html'), 'utf8');
    const adminPath = consolePath.replace(/\/console$/, '');
    const html = this.template.replaceAll('%ADMIN_PATH%', escapeHtml(adminPath)).replaceAll('%CONSOLE_PATH%', escapeHtml(consolePath));
    const body = Buffer.from(html);
    return { type: 'text/html; charset=utf-8', body, etag: etagOf(body) };
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

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
