// require() for the allow-list, evaluated once per context before any module source.
// Module sources call __hooklineCompat.define(id, factory); a factory runs on its first require.
// SUPPORTED_MODULES is injected at build time (see compat-modules.ts). Runs inside the isolate.
/* global SUPPORTED_MODULES, NODE_BUILTINS, NODE_PROVIDED */
const supported = SUPPORTED_MODULES;
/** Node built-ins the sandbox provides (members of the 'node' module), see isolate/node/. */
const provided = NODE_PROVIDED;
const factories = Object.create(null);
/** Installed npm packages of this hook (its `dependencies`), by the name it requires them with → module id. */
const installed = Object.create(null);
const cache = Object.create(null);
const warned = Object.create(null);

function parseSpecifier(specifier) {
  const match = /^((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/.exec(specifier);
  if (!match) return { name: specifier, version: undefined, subpath: '' };
  return { name: match[1], version: match[2], subpath: match[3] || '' };
}

function supportedList() {
  return supported.map((m) => m.id).join(', ');
}

function moduleError(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

function lookup(name) {
  return supported.find((m) => m.id === name || (m.aliases || []).includes(name));
}

const compat = {
  supported,
  /** Where version-mismatch warnings go; the sandbox may replace it (default: console.warn). */
  warn(message) {
    if (typeof console !== 'undefined' && typeof console.warn === 'function') console.warn(message);
  },
  define(id, factory, names) {
    factories[id] = factory;
    if (Array.isArray(names)) for (const name of names) installed[name] = id;
  },
  resolve(specifier) {
    if (typeof specifier !== 'string') {
      throw moduleError('ERR_INVALID_ARG_TYPE', 'require() needs a module name as a string; got ' + typeof specifier);
    }
    const { name, version, subpath } = parseSpecifier(specifier.replace(/^node:/, ''));
    if (provided.includes(name) && !subpath && version === undefined) return { id: 'node', subpath: name };
    const entry = lookup(name);
    if (!entry && installed[name] !== undefined && !specifier.startsWith('node:') && !NODE_BUILTINS.includes(name)) {
      if (subpath) {
        throw moduleError('MODULE_NOT_FOUND', `Cannot require "${specifier}" in a Hookline hook: only the main entry of ${name} is bundled (use require('${name}')).`);
      }
      return { id: installed[name], subpath: '' };
    }
    if (!entry) {
      const builtin = NODE_BUILTINS.includes(name) || specifier.startsWith('node:');
      // Node's code for a module it cannot find: hooks that guard an optional require test for it.
      throw moduleError('MODULE_NOT_FOUND',
        `Cannot require "${specifier}" in a Hookline hook: ` +
        (builtin ? 'Node built-in modules are not available in the sandbox. ' : 'this module is not supported. ') +
        `Supported modules: ${supportedList()}. See docs/migrating-from-auth0.md for workarounds.`);
    }
    if (subpath && !(entry.subpaths && entry.subpaths === '*')) {
      throw moduleError('MODULE_NOT_FOUND',
        `Cannot require "${specifier}" in a Hookline hook: only the main entry of ${entry.id} is supported ` +
        `(use require('${entry.id}')).`);
    }
    if (version !== undefined && version !== entry.version && !warned[specifier]) {
      warned[specifier] = true;
      compat.warn(`require('${specifier}'): Hookline provides ${entry.id} ${entry.version}; using it instead of ${version}`);
    }
    return { id: entry.id, subpath: subpath.slice(1) };
  },
  require(specifier) {
    const { id, subpath } = compat.resolve(specifier);
    const exports = compat.load(id, specifier);
    if (!subpath) return exports;
    const member = exports[subpath];
    if (member === undefined) {
      throw moduleError('MODULE_NOT_FOUND', `Cannot require "${specifier}": ${id} has no "${subpath}"`);
    }
    return member;
  },
  /** The exports of a registered module, its factory run on first use. */
  load(id, specifier = id) {
    let exports = cache[id];
    if (exports === undefined) {
      const factory = factories[id];
      if (!factory) {
        throw moduleError('MODULE_NOT_LOADED',
          `Cannot require "${specifier}": ${id} is supported but was not loaded into this sandbox ` +
          `(require it with a string literal so it can be found before the hook runs).`);
      }
      const module = { exports: {} };
      cache[id] = module.exports;
      try {
        factory(module, module.exports, compat.require);
      } catch (error) {
        delete cache[id];
        throw error;
      }
      exports = cache[id] = module.exports;
    }
    return exports;
  },
  /** Runs a hook's wrapper (normalizeHookSource's `code`, evaluated) as a CommonJS module; returns module.exports. */
  loadModule(wrapper, filename) {
    const module = { exports: {}, id: filename, filename, loaded: false };
    wrapper.call(module.exports, module.exports, globalThis.require, module, filename, '/');
    module.loaded = true;
    return module.exports;
  },
};

Object.defineProperty(globalThis, '__hooklineCompat', { value: compat, configurable: true, writable: true, enumerable: false });
Object.defineProperty(globalThis, 'require', {
  value: function require(specifier) {
    return compat.require(specifier);
  },
  configurable: true,
  writable: true,
  enumerable: false,
});
