/** Fields every consumer entry has; the core handles them, plugins never see them in their schema. */
export interface RetrySettings {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Ceiling of the first backoff; doubles each attempt (full jitter picks a random delay below it). */
  initialDelayMs?: number;
  /** Cap of the backoff ceiling. */
  maxDelayMs?: number;
}

/**
 * Default schedule: 8 attempts; backoff ceilings 5 s, 10 s, 20 s, 40 s, 80 s, then 120 s;
 * full jitter picks a random delay under each ceiling, so the last attempt comes after
 * about 3 minutes on average and at most about 6.5 minutes.
 */
export const DEFAULT_RETRY: Readonly<Required<RetrySettings>> = Object.freeze({
  maxAttempts: 8,
  initialDelayMs: 5_000,
  maxDelayMs: 120_000,
});

/** A Retry-After hint is honoured up to this long (a daily quota resets within a day). */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function backoffDelayMs(attemptsMade: number, retry: Required<RetrySettings>, random = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before the next attempt, or null when there is none (not retryable, or attempts used up).
 * A Retry-After hint is a floor: the next attempt never comes sooner.
 */
export function nextRetryDelayMs(
  error: { retryable: boolean; retryAfterMs?: number },
  attemptsMade: number,
  retry: Required<RetrySettings>,
  random = Math.random,
): number | null {
  if (!error.retryable || attemptsMade >= retry.maxAttempts) return null;
  const hint = Math.min(error.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return Math.max(hint, backoffDelayMs(attemptsMade, retry, random));
}

/** Parses an HTTP Retry-After value (delta-seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
