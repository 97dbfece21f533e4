import { DeliveryError, PermanentError, RetryableError } from '../../core/errors/delivery.errors';
import { HooklineError } from '../../core/errors/hookline.error';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Turns whatever a consumer threw into a DeliveryError. Network failures are retryable;
 * anything else unknown is permanent (a bug or a hook's own error will not fix itself by retrying).
 */
export function classifyError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (isNetworkError(error)) return new RetryableError(`network error: ${messageOf(error)}`, { cause: error });
  if (error instanceof HooklineError) return new PermanentError(error.message, { code: error.code, cause: error });
  return new PermanentError(messageOf(error), { cause: error });
}

function isNetworkError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  return isNetworkError((error as { cause?: unknown }).cause, depth + 1);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return `non-error thrown: ${JSON.stringify(error)}`.slice(0, 500);
  } catch {
    return 'non-error thrown';
  }
}
