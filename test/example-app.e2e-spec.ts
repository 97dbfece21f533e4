import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';

/** The example host app as `npm start` builds it (body limit, validation), on the example config. */
const ADMIN_TOKEN = 'example-app-admin-token';

describe('example app: POST /tenants/:tenant/users', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    process.env.HOOKLINE_CONFIG = 'examples/hookline.yaml';
    process.env.HOOKLINE_ADMIN_TOKEN = ADMIN_TOKEN;
    const { createApp } = await import('../sample/main');
    app = await createApp({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    delete process.env.HOOKLINE_ADMIN_TOKEN;
  });

  const post = (tenant: string) => request(app.getHttpServer()).post(`/tenants/${tenant}/users`);

  it('answers 201 with the new id', async () => {
    const res = await post('acme').send({ email: 'ada@example.com', username: 'ada', user_metadata: { plan: 'pro' } }).expect(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('answers 409 for a duplicate email within a tenant, not across tenants', async () => {
    await post('acme').send({ email: 'dup@example.com' }).expect(201);
    const res = await post('acme').send({ email: 'DUP@example.com' }).expect(409);
    expect(res.body.message).toMatch(/already exists in tenant acme/);
    await post('globex').send({ email: 'dup@example.com' }).expect(201);
  });

  it.each([
    [{}, 'email', 'required'],
    [{ email: 'not-an-email' }, 'email', 'expected an email address'],
    [{ email: 'a@example.com', username: 42 }, 'username', expect.stringMatching(/expected string/)],
    [{ email: 'a@example.com', user_metadata: [] }, 'user_metadata', 'expected an object'],
    [{ email: 'a@example.com', admin: true }, 'admin', 'unknown field'],
  ])('answers 400 naming the field for %j', async (body, field, message) => {
    const res = await post('acme').send(body).expect(400);
    expect(res.body.errors).toContainEqual({ field, message });
  });

  it('answers 400 for a malformed tenant id', async () => {
    const res = await post('Not_A..Tenant').send({ email: 'a@example.com' }).expect(400);
    expect(res.body.errors[0].field).toBe('tenant');
  });

  it('answers 400 for invalid JSON and 413 for a body over the limit', async () => {
    await post('acme').set('content-type', 'application/json').send('{"email":').expect(400);
    await post('acme').send({ email: 'a@example.com', username: 'x'.repeat(20_000) }).expect(413);
  });

  it('mounts the admin module with HOOKLINE_ADMIN_TOKEN as one unscoped token', async () => {
    const server = app.getHttpServer();
    const access = await request(server).get('/hookline/access').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(access.body).toMatchObject({ tenants: '*', knownTenants: expect.arrayContaining(['acme', 'globex']) });
    await request(server).get('/hookline/openapi.json').set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    await request(server).get('/hookline/openapi.json').expect(401);
  });
});
