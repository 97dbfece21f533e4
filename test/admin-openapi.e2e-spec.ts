import request from 'supertest';
import { HooklineTestApp } from './support/hookline-test-app';

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the HTTP server serves, as `GET /hookline/deliveries/:id`: what Nest registered, not what the document says. */
function servedRoutes(harness: HooklineTestApp, under: string): string[] {
  const express = harness.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return express.router.stack
    .filter((layer) => layer.route && (layer.route.path === under || layer.route.path.startsWith(`${under}/`)))
    .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`))
    .sort();
}

/** The document's operations in the same form: its server URL, then each path. */
function documentedRoutes(doc: { servers: Array<{ url: string }>; paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${doc.servers[0].url}${path.replace(/\{([^}]+)\}/g, ':$1')}`))
    .sort();
}

describe('admin API: the OpenAPI document', () => {
  let harness: HooklineTestApp;

  beforeAll(async () => {
    harness = await HooklineTestApp.start({ config: { tenants: { acme: {} } } });
  });
  afterAll(() => harness.close());

  it('is served behind the admin auth', async () => {
    const denied = await request(harness.app.getHttpServer()).get('/hookline/openapi.json').expect(401);
    expect(denied.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('admin token') } });
    await harness.admin('/hookline/openapi.json').expect(200).expect('content-type', /json/);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = (await harness.admin('/hookline/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route Nest serves under the admin path, and no other', async () => {
    const doc = (await harness.admin('/hookline/openapi.json').expect(200)).body;
    const served = servedRoutes(harness, '/hookline');
    expect(served).toEqual(expect.arrayContaining(['GET /hookline/deliveries', 'POST /hookline/runner', 'GET /hookline/console']));
    expect(doc.servers).toEqual([{ url: '/hookline' }]);
    expect(documentedRoutes(doc)).toEqual(served);
  });

  it('documents the error body on every operation, 401 on every authenticated one', async () => {
    const doc = (await harness.admin('/hookline/openapi.json').expect(200)).body;
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    for (const [path, ops] of Object.entries<Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }>; security?: unknown[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
        for (const [, response] of errors) expect(response.content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
        if (!path.includes('/console')) expect([method, path, Object.keys(op.responses)]).toEqual([method, path, expect.arrayContaining(['401'])]);
      }
    }
  });
});
