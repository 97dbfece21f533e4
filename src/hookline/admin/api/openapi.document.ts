import { HttpStatus, RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';
import { adminErrorBody } from './admin-error';
import { ADMIN_ROUTE_DOC, type AdminRouteDoc } from './admin-route.decorator';

/** One route of an admin controller as Nest registers it: method, full path (`/hookline/deliveries/:id`), its doc. */
export interface AdminRouteInfo {
  method: string;
  path: string;
  handler: string;
  controller: string;
  status: number;
  doc?: AdminRouteDoc;
}

type JsonObject = Record<string, unknown>;

/**
 * The routes of mounted admin controllers, read from the same metadata Nest's router reads
 * (controller path, method path, request method, `@HttpCode`), plus each route's `@AdminRoute` doc.
 */
export function adminRoutesOf(controllers: readonly Type[]): AdminRouteInfo[] {
  const routes: AdminRouteInfo[] = [];
  for (const controller of controllers) {
    const base = pathsOf(Reflect.getMetadata(PATH_METADATA, controller))[0] ?? '';
    for (const name of methodNames(controller.prototype as object)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
      const doc = Reflect.getMetadata(ADMIN_ROUTE_DOC, handler) as AdminRouteDoc | undefined;
      const verb = RequestMethod[method];
      const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (verb === 'POST' ? 201 : 200);
      for (const sub of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) {
        routes.push({ method: verb, path: joinPath(base, sub), handler: name, controller: controller.name, status, doc });
      }
    }
  }
  return routes;
}

/**
 * The OpenAPI 3.1 document of the admin routes mounted at `mountPath` (`/hookline`), with paths relative to
 * it (`/deliveries`): the server URL says where they are served. A route without `@AdminRoute` is an error naming it.
 */
export function buildOpenApiDocument(controllers: readonly Type[], mountPath: string, info: { title: string; version: string }): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  const mount = joinPath(mountPath);
  for (const route of adminRoutesOf(controllers)) {
    if (!route.doc) throw new Error(`admin route ${route.method} ${route.path} (${route.controller}.${route.handler}) has no @AdminRoute doc`);
    if (route.path !== mount && !route.path.startsWith(`${mount}/`)) throw new Error(`admin route ${route.method} ${route.path} is not under ${mount}`);
    const key = (route.path.slice(mount.length) || '/').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[key] ??= {})[route.method.toLowerCase()] = operationOf(route, route.doc);
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'The Hookline admin API. Every error answers `{ error: { code, message, issues? } }`.' },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: mount, description: 'The admin path (the server answers with the path it was reached at, global prefix included).' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An admin token, or what the host guard accepts.' } },
      schemas: { Error: jsonSchema(adminErrorBody, 'output') },
    },
  };
}

function operationOf(route: AdminRouteInfo, doc: AdminRouteDoc): JsonObject {
  const parameters = [...parametersOf(doc.params, 'path'), ...parametersOf(doc.query, 'query')];
  const errors = new Set([...(doc.public ? [] : [401]), ...(parameters.length || doc.body ? [400] : []), ...(doc.errors ?? [])]);
  const responses: Record<string, JsonObject> = {
    [String(route.status)]: {
      description: HttpStatus[route.status] ?? 'success',
      ...(doc.response ? { content: { [doc.responseMediaType ?? 'application/json']: { schema: jsonSchema(doc.response, 'output') } } } : {}),
    },
  };
  for (const status of [...errors].sort()) {
    responses[String(status)] = {
      description: HttpStatus[status] ?? 'error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: `${route.controller.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${route.handler}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.tags ? { tags: doc.tags } : {}),
    ...(doc.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } } } } : {}),
    responses,
  };
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const type = field as z.ZodType;
    const { description, ...rest } = jsonSchema(type, 'input');
    return {
      name,
      in: where,
      required: where === 'path' || !type.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) if (name !== 'constructor') names.add(name);
  }
  return [...names];
}

function pathsOf(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as string[]) : [String(value)];
}

/** `/a/b/c` from `a`, `/b/`, `c`: the path Nest serves (no global prefix, no RouterModule path). */
export function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');
  return '/' + joined;
}
