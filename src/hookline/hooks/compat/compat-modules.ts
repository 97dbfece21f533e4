/** One module a hook may require(): the real package bundled, or a facade for a Node-only one. */
export interface CompatModuleSpec {
  /** The name a hook passes to require(). */
  id: string;
  /** Other names that resolve to the same module. */
  aliases?: string[];
  /** `package`: the real npm package bundled; `facade`: our implementation of its documented API. */
  kind: 'package' | 'facade';
  /** For packages: the installed version (a spec checks it against package-lock). For facades: the version whose API is emulated. */
  version: string;
  /** Entry file under isolate/modules/. */
  entry: string;
  /** `'*'`: `require('id/name')` returns the module's `name` member (lodash/get). */
  subpaths?: '*';
  /** The entry is an ES module whose default export is what require() returns (as axios's CommonJS build does). */
  defaultExport?: boolean;
}

/** The allow-list, in the order the docs show it. Everything else fails with MODULE_NOT_SUPPORTED. */
export const COMPAT_MODULES: readonly CompatModuleSpec[] = [
  { id: 'axios', kind: 'package', version: '1.21.1', entry: 'axios.js', defaultExport: true },
  { id: '@slack/webhook', kind: 'package', version: '8.0.2', entry: 'slack-webhook.js' },
  { id: 'graphql-request', kind: 'package', version: '7.4.0', entry: 'graphql-request.js' },
  { id: 'lodash', kind: 'package', version: '4.18.1', entry: 'lodash.js', subpaths: '*' },
  { id: 'node-fetch', kind: 'facade', version: '2.7.0', entry: 'node-fetch.js' },
  { id: 'request', kind: 'facade', version: '2.88.2', entry: 'request.js', defaultExport: true },
  { id: 'request-promise', aliases: ['request-promise-native'], kind: 'facade', version: '4.2.6', entry: 'request-promise.js', defaultExport: true },
  { id: 'slack-notify', kind: 'facade', version: '0.1.7', entry: 'slack-notify.js' },
];

/** What the isolate's require() knows about each module. */
export interface SupportedModule {
  id: string;
  aliases: string[];
  kind: 'package' | 'facade';
  version: string;
  subpaths?: '*';
}

/**
 * Node built-ins the sandbox provides (pure JavaScript in isolate/node/, over the sandbox's bridges):
 * members of one module, `node`, which loads each on first require.
 */
export const NODE_PROVIDED: readonly string[] = [
  'assert', 'buffer', 'crypto', 'events', 'http', 'https', 'path', 'process', 'querystring', 'stream',
  'string_decoder', 'timers', 'url', 'util',
];

/** The module id of the provided built-ins (see isolate/node/index.js). */
export const NODE_MODULE_ID = 'node';

/** Node built-ins hooks commonly require: named as such in the error when the sandbox lacks one. */
export const NODE_BUILTIN_NAMES: readonly string[] = [
  'assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'http', 'https', 'net',
  'os', 'path', 'process', 'querystring', 'stream', 'tls', 'url', 'util', 'vm', 'zlib',
];
const NODE_BUILTINS = new Set(NODE_BUILTIN_NAMES);

export interface ParsedSpecifier {
  name: string;
  version?: string;
  subpath: string;
}

/** `@scope/name@1.2.3/sub` → name, version, subpath; also strips a `node:` prefix. */
export function parseSpecifier(specifier: string): ParsedSpecifier {
  const bare = specifier.replace(/^node:/, '');
  const match = /^((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/.exec(bare);
  if (!match) return { name: bare, subpath: '' };
  return { name: match[1], version: match[2], subpath: match[3] ?? '' };
}

/** A built-in the sandbox provides (`crypto`, `node:crypto`). */
export function isProvidedBuiltin(specifier: string): boolean {
  const { name, version, subpath } = parseSpecifier(specifier);
  return NODE_PROVIDED.includes(name) && !subpath && version === undefined;
}

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(parseSpecifier(specifier).name);
}
