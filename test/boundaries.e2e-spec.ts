import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import madge from 'madge';
import * as ts from 'typescript';

/**
 * The architecture as tests: no import circle in src/ and connectors/; the built-in connectors see only
 * `hookline/sdk`, as a third-party connector would; src/hookline stands alone (never imports connectors/,
 * the CLI or the package entry) and nothing in it imports from a folder above it; test helpers live in test/.
 */
const ROOT = resolve(__dirname, '..');
const posix = (path: string) => relative(ROOT, path).split(sep).join('/');

function files(dir: string, pattern = /\.(ts|js)$/): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, pattern) : pattern.test(name) ? [path] : [];
  });
}

/** Every import, require and re-export specifier of a file, as written. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

const LIBRARY = join(ROOT, 'src', 'hookline');
const CONNECTORS = join(ROOT, 'connectors');
/** The admin folder still reaches the module's top-level files; its module rewrite removes these. */
const UPWARD_ALLOWED = ['src/hookline/admin/'];

describe('boundaries', () => {
  it('src/ and connectors/ have no import circle', async () => {
    const graph = await madge([join(ROOT, 'src'), CONNECTORS], {
      baseDir: ROOT,
      fileExtensions: ['ts'],
      tsConfig: join(ROOT, 'tsconfig.json'),
    });
    expect(graph.circular()).toEqual([]);
    // The graph resolved the package's own entry points (else a circle through them could hide).
    expect(graph.obj()['connectors/webhook/webhook.connector.ts']).toContain('src/hookline/connectors/sdk/index.ts');
  }, 60_000);

  it('connectors/ import hookline/sdk, their own files and client libraries only', () => {
    const wrong = files(CONNECTORS).flatMap((file) =>
      specifiers(file)
        .filter((s) =>
          s.startsWith('.') ? !resolve(dirname(file), s).startsWith(CONNECTORS + sep) : /^hookline($|\/)/.test(s) && s !== 'hookline/sdk',
        )
        .map((s) => `${posix(file)} imports ${s}`),
    );
    expect(wrong).toEqual([]);
  });

  it('src/hookline never imports connectors/, the CLI or the package entry, nor from a folder above a file', () => {
    const wrong = files(LIBRARY).flatMap((file) =>
      specifiers(file).flatMap((s) => {
        if (/^hookline($|\/)/.test(s)) return [`${posix(file)} imports ${s} by package name`];
        if (!s.startsWith('.')) return [];
        const target = resolve(dirname(file), s);
        if (!target.startsWith(LIBRARY + sep)) return [`${posix(file)} reaches outside src/hookline: ${s}`];
        const upward = dirname(file).startsWith(dirname(target) + sep);
        if (upward && !UPWARD_ALLOWED.some((allowed) => posix(file).startsWith(allowed))) return [`${posix(file)} imports upward: ${s}`];
        return [];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('the library folders hold no test helpers (specs beside the code excepted)', () => {
    const library = [...files(join(ROOT, 'src')), ...files(CONNECTORS)].filter((f) => !/\.spec\.ts$/.test(f));
    const helpers = library.filter((f) => /(^|[/.-])(testing|harness|fake|fixtures?|receiver|mock|stub)([/.-]|$)/i.test(posix(f)));
    const testOnly = library.filter((f) => specifiers(f).some((s) => /^(@jest\/|jest|supertest|@nestjs\/testing)($|\/)/.test(s)));
    expect([...helpers, ...testOnly].map(posix)).toEqual([]);
  });
});
