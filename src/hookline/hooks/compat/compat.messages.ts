/** Messages of the compatibility layer; the isolate-side require() words them the same way. */
export const compatMessages = {
  notSupported: (specifier: string, builtin: boolean, supported: string[]) =>
    `Cannot require "${specifier}" in a Hookline hook: ` +
    (builtin ? 'Node built-in modules are not available in the sandbox. ' : 'this module is not supported. ') +
    `Supported modules: ${supported.join(', ')}. See docs/migrating-from-auth0.md for workarounds.`,
  subpathNotSupported: (specifier: string, id: string) =>
    `Cannot require "${specifier}" in a Hookline hook: only the main entry of ${id} is supported (use require('${id}')).`,
  versionDiffers: (specifier: string, id: string, provided: string, requested: string) =>
    `require('${specifier}'): Hookline provides ${id} ${provided}; using it instead of ${requested}`,
  conditionalRequire: () =>
    "It is conditional (in a function, try, if or loop), so the hook loads; if it runs, require() throws an error with code 'MODULE_NOT_FOUND'.",
  dynamicRequire: () =>
    'require() with a computed name cannot be checked before the hook runs; use a string literal',
  syntax: (filename: string, line: number, column: number, detail: string) =>
    `${filename}:${line}:${column}: ${detail}`,
  noBundles: (file: string) =>
    `Hookline's sandbox module bundles are missing (${file}): reinstall the package, or run \`npm run build\` in a checkout`,
};
