import { HooklineError } from './hookline.error';

/**
 * A delivery attempt failed. `retryable` decides whether the executor tries again;
 * `retryAfterMs` is the consumer's hint (a Retry-After header, a rate-limit window).
 */
export class DeliveryError extends HooklineError {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  constructor(
    code: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(code, message, { cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Worth another attempt: network errors, timeouts, 408, 429, 5xx. */
export class RetryableError extends DeliveryError {
  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'DELIVERY_RETRYABLE', message, { ...options, retryable: true });
  }
}

/**
 * The destination rate-limited the request (a 429). Retryable after `retryAfterMs`; the executor also
 * pauses the consumer's rate-limit key for that long, so no delivery sharing the key is sent in the window.
 */
export class RateLimitedError extends RetryableError {
  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { ...options, code: 'RATE_LIMITED' });
  }
}

/** Never worth another attempt: other 4xx, invalid config, a hook's own error. */
export class PermanentError extends DeliveryError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'DELIVERY_PERMANENT', message, { ...options, retryable: false });
  }
}

/** The attempt ran past its timeout. Retryable. */
export class DeliveryTimeoutError extends DeliveryError {
  constructor(timeoutMs: number) {
    super('DELIVERY_TIMEOUT', `timed out after ${timeoutMs} ms`, { retryable: true });
  }
}

/** An HTTP request made for a delivery answered with a non-2xx status. */
export class ConnectorRequestError extends DeliveryError {
  constructor(
    readonly status: number,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; body?: string },
  ) {
    super('CONNECTOR_REQUEST_FAILED', message, options);
    this.body = options.body;
  }
  readonly body?: string;
}
