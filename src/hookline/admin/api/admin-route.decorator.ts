import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/** How one admin route is documented in the OpenAPI document; method and path come from Nest's own decorators. */
export interface AdminRouteDoc {
  /** One line: what the route does. */
  summary: string;
  /** More text (CommonMark), when the summary is not enough. */
  description?: string;
  /** Groups in the document (`deliveries`, `consumers`, `runner`, `tenants`, …). */
  tags?: string[];
  /** Path parameters, one key per `:name` of the route. */
  params?: z.ZodObject;
  /** Query parameters: an object schema, one key per parameter. */
  query?: z.ZodObject;
  /** The JSON body. */
  body?: z.ZodType;
  /** The success answer's JSON body; omit for no body. */
  response?: z.ZodType;
  /** The success answer's media type when it is not JSON (the console's page and assets). */
  responseMediaType?: string;
  /**
   * Error statuses the route answers besides the ones every route may give (401, and 400 when it takes
   * params, a query or a body), each answered with the error body `{ error: { code, message, issues? } }`.
   */
  errors?: number[];
  /** No admin auth (the console's static files). @default false */
  public?: boolean;
}

export const ADMIN_ROUTE_DOC = Symbol('hooklineAdminRouteDoc');

/**
 * Documents an admin route for `<path>/openapi.json`. Every route of an admin controller needs one: a test
 * compares the document with the routes Nest registered.
 *
 * ```ts
 * @Get('deliveries/:id')
 * @AdminRoute({ summary: 'One delivery with its attempts', params: z.object({ id: z.string() }), response: deliveryRecord, errors: [404] })
 * get(@Param('id') id: string) { … }
 * ```
 */
export const AdminRoute = (doc: AdminRouteDoc): MethodDecorator => SetMetadata(ADMIN_ROUTE_DOC, doc);

/**
 * Whether a request is for a route of the admin module (the console included): for a host's app-wide
 * guard (`APP_GUARD`) that should leave those to the admin module's own auth.
 */
export function isHooklineAdminRoute(context: { getHandler(): unknown }): boolean {
  const handler = context.getHandler();
  return typeof handler === 'function' && Reflect.hasMetadata(ADMIN_ROUTE_DOC, handler);
}
