import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * The architecture as tests: no import circle (the import graph is resolved with TypeScript's own module
 * resolution and this repository's tsconfig, `paths` included) in src/ and connectors/; the built-in connectors see only
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

/** Each file of src/ and connectors/ → the files of src/ and connectors/ it imports (packages left out). */
function importGraph(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const inside = (file: string) => [join(ROOT, 'src') + sep, CONNECTORS + sep].some((dir) => file.startsWith(dir));
  const graph = new Map<string, string[]>();
  for (const file of [...files(join(ROOT, 'src'), /\.ts$/), ...files(CONNECTORS, /\.ts$/)]) {
    const targets = specifiers(file)
      .map((s) => ts.resolveModuleName(s, file, config.options, ts.sys).resolvedModule?.resolvedFileName)
      .filter((target): target is string => !!target && inside(resolve(target)) && !target.endsWith('.d.ts'));
    graph.set(file, targets.map((t) => resolve(t)));
  }
  return graph;
}

/** Every circle of the graph, each once, as the files along it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const circle = path.slice(path.indexOf(next)).map(posix);
        found.set([...circle].sort().join(' '), circle);
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return [...found.values()];
}

const LIBRARY = join(ROOT, 'src', 'hookline');
const CONNECTORS = join(ROOT, 'connectors');
/** Folders allowed to import from a folder above them: none (the admin module reads Hookline through a port). */
const UPWARD_ALLOWED: string[] = [];
/** The public `hookline/testing` entry: helpers for the package's users, shipped on purpose (it imports no test framework). */
const PUBLIC_TESTING = 'src/testing';

describe('boundaries', () => {
  it('src/ and connectors/ have no import circle', () => {
    const graph = importGraph();
    // The graph resolves the package's own entry points (else a circle through them could hide).
    expect(graph.get(join(CONNECTORS, 'webhook', 'webhook.connector.ts'))?.map(posix)).toContain('src/hookline/connectors/sdk/index.ts');
    expect(graph.get(join(ROOT, 'src', 'index.ts'))?.map(posix)).toEqual(expect.arrayContaining(['connectors/index.ts', 'src/hookline/index.ts']));
    expect(circles(graph)).toEqual([]);
  });

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

  it('the library folders hold no test helpers (specs beside the code, and the public hookline/testing entry, excepted)', () => {
    const library = [...files(join(ROOT, 'src')), ...files(CONNECTORS)].filter((f) => !/\.spec\.ts$/.test(f));
    const helpers = library
      .filter((f) => !posix(f).startsWith(`${PUBLIC_TESTING}/`))
      .filter((f) => /(^|[/.-])(testing|harness|fake|fixtures?|receiver|mock|stub)([/.-]|$)/i.test(posix(f)));
    const testOnly = library.filter((f) => specifiers(f).some((s) => /^(@jest\/|jest|supertest|@nestjs\/testing)($|\/)/.test(s)));
    expect([...helpers, ...testOnly].map(posix)).toEqual([]);
  });
});
