import { HttpException } from '@nestjs/common';
import { z } from 'zod';

/** One problem with a request's params, query or body: a dotted path (`body.filter.since`) and what was expected. */
export interface AdminErrorIssue {
  path: string;
  message: string;
  /** A code of its own, when the issue has one (ENV_NOT_ALLOWED, PRIVATE_HOST, …). */
  code?: string;
}

/** The body of every admin API error. `code` is stable: match on it, not on the message. */
export interface AdminErrorBody {
  error: { code: string; message: string; issues?: AdminErrorIssue[] };
}

/** The same shape as a zod schema, for the OpenAPI document. */
export const adminErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, upper snake case: INVALID_REQUEST, UNAUTHORIZED, NOT_FOUND, CONFLICT, GONE, …'),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
        .optional()
        .describe('One entry per invalid field.'),
    }),
  })
  .describe('The body of every admin API error.');

/** An admin API error with its status, code and message: the admin error filter answers it as {@link AdminErrorBody}. */
export class AdminApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly issues?: AdminErrorIssue[],
  ) {
    super(message, status);
  }

  toBody(): AdminErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

/**
 * Parses a request's `params`, `query` or `body` with its schema (the one given to `@AdminRoute`), or throws
 * 400 `INVALID_REQUEST` with one issue per field, paths prefixed by `part` (`body.filter.since`).
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, part: 'params' | 'query' | 'body'): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
  throw new AdminApiError(400, 'INVALID_REQUEST', `invalid ${part}: ${issues.map((i) => i.path).join(', ')}`, issues);
}
