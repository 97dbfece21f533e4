import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { z } from 'zod';
import { StoreNotConfiguredError, TenantWriteError } from '../tenants/tenant-write.error';

/** One problem of a request, by path: `connectors[0].url`, `body.value`. */
export interface ApiIssue {
  path: string;
  message: string;
  code?: string;
}

/** The body of every error answer of the tenant routes: `{ error: { code, message, issues? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: ApiIssue[] };
}

/** An error answer with a stable code, e.g. `apiError(404, 'NOT_FOUND', 'no tenant "acme"')`. */
export function apiError(status: number, code: string, message: string, issues?: ApiIssue[]): HttpException {
  const body: ApiErrorBody = { error: { code, message, ...(issues?.length ? { issues } : {}) } };
  return new HttpException(body, status);
}

/** The same answer for an unknown tenant and for a tenant outside the token's scope: nothing leaks. */
export function noTenant(tenant: string): HttpException {
  return apiError(404, 'NOT_FOUND', `no tenant "${tenant}"`);
}

/** Parses part of a request with a zod schema, or answers 400 INVALID_REQUEST naming every field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: 'body' | 'query' | 'params'): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
  throw apiError(400, 'INVALID_REQUEST', `invalid ${part}: ${issues.map((i) => i.path).join(', ')}`, issues);
}

/**
 * Turns the store's refusals into answers: a refused write is 400 with its policy code and every issue,
 * 404 or 409 (`TENANT_DEFINED_IN_FILE`); no store is 501 naming the option that turns it on.
 */
@Catch(TenantWriteError, StoreNotConfiguredError)
@Injectable()
export class TenantsErrorFilter implements ExceptionFilter {
  constructor(private readonly adapter: HttpAdapterHost) {}

  catch(error: TenantWriteError | StoreNotConfiguredError, host: ArgumentsHost): void {
    const http = error instanceof TenantWriteError ? toHttp(error) : apiError(501, error.code, error.message);
    this.adapter.httpAdapter.reply(host.switchToHttp().getResponse(), http.getResponse(), http.getStatus());
  }
}

function toHttp(error: TenantWriteError): HttpException {
  const issues = error.issues.map((i) => ({ path: i.path, message: i.message, ...(i.code ? { code: i.code } : {}) }));
  return apiError(error.status, error.code, error.message.split('\n')[0], issues);
}
