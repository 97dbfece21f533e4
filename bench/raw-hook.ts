/**
 * An Auth0-style hook (`module.exports = function (user, context, cb)`) in a context of a raw isolated-vm
 * isolate, with nothing of Hookline's around it: the sandbox benchmark's floor and the by-hand app's hook.
 */
import type ivm from 'isolated-vm';

export type RawHook = ivm.Reference<(user: unknown, context: unknown) => Promise<unknown>>;

/** The hook compiled once in `context`: a function of (user, context) answering its callback's result. */
export async function compileRawHook(context: ivm.Context, source: string): Promise<RawHook> {
  return (await context.eval(
    `(function () { const module = { exports: {} }; (function (module, exports) { ${source} })(module, module.exports);
      const hook = module.exports;
      return (user, context) => new Promise((res, rej) => hook(user, context, (e, r) => (e ? rej(e) : res(r)))); })()`,
    { reference: true },
  )) as RawHook;
}

/** One call, its arguments copied in and its result copied out, under a 10 s timeout. */
export function invokeRawHook(hook: RawHook, user: unknown, context: unknown): Promise<unknown> {
  return hook.apply(undefined, [user, context], { arguments: { copy: true }, result: { promise: true, copy: true }, timeout: 10_000 });
}
