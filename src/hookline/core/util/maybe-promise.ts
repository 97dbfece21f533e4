/**
 * A value now (an in-memory store) or later (Redis, a database, a host's own store). The delivery path
 * awaits only the second: each `await` of a value that is already there still suspends its function and
 * allocates its promise and reaction, a few hundred bytes per delivery per step.
 */
export type MaybePromise<T> = T | PromiseLike<T>;

export function isPromiseLike<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null | undefined)?.then === 'function';
}
