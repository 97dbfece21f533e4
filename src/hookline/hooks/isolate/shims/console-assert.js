// console.assert for bundled libraries (event-target-shim calls it on every event); the sandbox's console
// has only log/info/warn/error. A failed assertion is reported as a warning.
export function hooklineConsoleAssert(condition, ...details) {
  if (!condition && typeof console !== 'undefined' && typeof console.warn === 'function') {
    console.warn('Assertion failed:', ...details);
  }
}
