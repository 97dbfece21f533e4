import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { SlackFake } from './fakes/slack.fake';
import { aSecretsKey, dropSchema, uniqueSchema } from './support/postgres';
import { postgresUrlOrSkip } from './support/services';

const url = postgresUrlOrSkip('example app with the tenant store');
const suite = url ? describe : describe.skip;

/** The README's walk-through: the example app with HOOKLINE_STORE_URL, a customer's Slack set up with curl. */
suite('example app with the tenant store (HOOKLINE_STORE_URL)', () => {
  const schema = uniqueSchema('example_app');
  const env = {
    HOOKLINE_CONFIG: 'examples/hookline.yaml',
    HOOKLINE_STORE_URL: url!,
    HOOKLINE_STORE_SCHEMA: schema,
    HOOKLINE_SECRETS_KEY: aSecretsKey(),
    HOOKLINE_STORE_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
    HOOKLINE_ADMIN_TOKEN: 'dev-token',
  };
  let app: NestExpressApplication;
  let slack: SlackFake;

  beforeAll(async () => {
    slack = await new SlackFake().start();
    Object.assign(process.env, env);
    const { createApp } = await import('../sample/main');
    app = await createApp({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
    for (const name of Object.keys(env)) delete process.env[name];
    if (url) await dropSchema(url, schema);
  });

  const admin = (method: 'put' | 'get', path: string) =>
    request(app.getHttpServer())[method](`/hookline/${path}`).set('authorization', 'Bearer dev-token');

  it('creates a tenant with a Slack consumer and its secret, and delivers a sign-up to Slack', async () => {
    const webhookUrl = slack.webhook('B0NEWCO');
    await admin('put', 'tenants/newco/secrets/SLACK_URL').send({ value: webhookUrl }).expect(200);
    const created = await admin('put', 'tenants/newco')
      .send({ connectors: [{ type: 'slack', name: 'signups', webhookUrl: '${secret:SLACK_URL}', text: 'New user: {{ user.email }}' }] })
      .expect(200);
    expect(created.body).toEqual({ id: 'newco', version: 1, warnings: [] });

    await request(app.getHttpServer()).post('/tenants/newco/users').send({ email: 'ada@example.com', username: 'ada' }).expect(201);
    const deadline = Date.now() + 10_000;
    while (slack.posted(webhookUrl).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(slack.posted(webhookUrl).map((m) => m.payload?.text)).toEqual(['New user: ada@example.com']);

    const view = await admin('get', 'tenants/newco').expect(200);
    expect(view.body.secrets).toEqual(['SLACK_URL']);
    expect(JSON.stringify(view.body)).not.toContain(webhookUrl);
  });

  it('keeps the file tenants the file\'s own', async () => {
    const res = await admin('put', 'tenants/acme').send({}).expect(409);
    expect(res.body.error.code).toBe('TENANT_DEFINED_IN_FILE');
  });
});
