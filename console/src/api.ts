/**
 * The admin API client. The token travels only in the Authorization header (never in a URL, never
 * in a log), and every failure becomes an {@link ApiError} whose message the page can show as is.
 */

export type ApiErrorKind = 'unauthorized' | 'unreachable' | 'not-found' | 'invalid' | 'conflict' | 'server';

export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    /** The admin path, e.g. `/hookline`. */
    readonly base: string,
    private readonly token: string,
  ) {}

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.request<T>('GET', path + queryString(query));
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new ApiError('unreachable', 0, `The admin API at ${this.base} cannot be reached. Is the app running?`);
    }
    const text = await res.text();
    const json = parseJson(text);
    if (res.ok) return json as T;
    throw errorFrom(res.status, json, this.base);
  }
}

function errorFrom(status: number, body: unknown, base: string): ApiError {
  const { message, issues } = describeBody(body);
  if (status === 401) return new ApiError('unauthorized', status, 'This token was refused. Check it and sign in again.');
  if (status === 404) return new ApiError('not-found', status, message ?? 'Not found.');
  if (status === 400 || status === 422) return new ApiError('invalid', status, message ?? 'The request was refused as invalid.', issues);
  if (status === 409 || status === 410) return new ApiError('conflict', status, message ?? 'The request conflicts with the current state.');
  if (status >= 502 && status <= 504) {
    return new ApiError('unreachable', status, `The admin API at ${base} is not answering (HTTP ${status}).`);
  }
  return new ApiError('server', status, `The admin API failed (HTTP ${status})${message ? `: ${message}` : '.'}`);
}

/** Reads `{ error: { message, issues } }`, and Nest's default `{ message }` shape too. */
function describeBody(body: unknown): { message?: string; issues: ApiIssue[] } {
  if (!body || typeof body !== 'object') return { issues: [] };
  const outer = body as { error?: unknown; message?: unknown; errors?: unknown };
  const inner = (typeof outer.error === 'object' && outer.error ? outer.error : outer) as {
    message?: unknown;
    issues?: unknown;
    errors?: unknown;
  };
  const message = typeof inner.message === 'string' ? inner.message : undefined;
  const list = Array.isArray(inner.issues) ? inner.issues : Array.isArray(inner.errors) ? inner.errors : [];
  const issues = list.map((i: { path?: unknown; field?: unknown; message?: unknown }) => ({
    path: String(i.path ?? i.field ?? ''),
    message: String(i.message ?? ''),
  }));
  return { message, issues };
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
