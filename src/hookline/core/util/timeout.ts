/**
 * The promise's value, or `fallback` once `ms` have passed: for waits that give up (a drain, a first
 * connection). The timer is cleared when the promise settles and never keeps the process alive.
 */
export function orAfter<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** True when the promise settles (either way) within `ms`. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return orAfter(
    promise.then(
      () => true,
      () => true,
    ),
    ms,
    false,
  );
}
