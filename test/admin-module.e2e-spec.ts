import { Controller, Get, Module, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { APP_GUARD, RouterModule } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ADMIN_ACTION_EVENT, HooklineAdminModule, HooklineModule, isHooklineAdminRoute, type AdminActionEvent, type HooklineAdminModuleOptions } from 'hookline';
import { CaptureLogger } from './support/capture.logger';

const TOKEN = 'admin-module-token';
const CONFIG = { tenants: { acme: {}, globex: {} } };

/** A host app with Hookline and the admin module as given; `prefix` is the app's global prefix. */
async function host(admin: HooklineAdminModuleOptions, setup: { prefix?: string; routerPath?: string; config?: Record<string, unknown> } = {}): Promise<INestApplication> {
  const adminModule = HooklineAdminModule.forRoot(admin);
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({ config: setup.config ?? CONFIG, watchConfig: false, logger: new CaptureLogger() }),
      adminModule,
      ...(setup.routerPath ? [RouterModule.register([{ path: setup.routerPath, module: HooklineAdminModule }])] : []),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  if (setup.prefix) app.setGlobalPrefix(setup.prefix);
  await app.init();
  return app;
}

const bearer = { authorization: `Bearer ${TOKEN}` };

describe('HooklineAdminModule', () => {
  it('serves the API, the console and the document at a custom path under a global prefix', async () => {
    const app = await host({ path: 'ops/hookline', tokens: [TOKEN] }, { prefix: 'api' });
    try {
      const server = app.getHttpServer();
      await request(server).get('/api/ops/hookline/deliveries').set(bearer).expect(200);
      await request(server).get('/hookline/deliveries').set(bearer).expect(404);
      await request(server).get('/api/hookline/deliveries').set(bearer).expect(404);
      const doc = await request(server).get('/api/ops/hookline/openapi.json').set(bearer).expect(200);
      expect(doc.body.servers).toEqual([{ url: '/api/ops/hookline' }]);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/deliveries', '/deliveries/{id}/replay', '/console']));

      // The console: no auth, no absolute path in the page (its URLs are relative to <path>/console).
      const page = await request(server).get('/api/ops/hookline/console').set('accept-encoding', 'identity').expect(200);
      expect(page.text).toContain('src="console/app.js"');
      expect(page.text).not.toMatch(/hookline|\/api\//);
      await request(server).get('/api/ops/hookline/console/app.js').expect(200);
      const slash = await request(server).get('/api/ops/hookline/console/').expect(308);
      expect(slash.headers.location).toBe('../console');
    } finally {
      await app.close();
    }
  });

  it("composes with RouterModule: the host's path comes before the admin path", async () => {
    const app = await host({ tokens: [TOKEN] }, { routerPath: 'internal' });
    try {
      const server = app.getHttpServer();
      await request(server).get('/internal/hookline/deliveries').set(bearer).expect(200);
      await request(server).get('/hookline/deliveries').set(bearer).expect(404);
      const doc = await request(server).get('/internal/hookline/openapi.json').set(bearer).expect(200);
      expect(doc.body.servers).toEqual([{ url: '/internal/hookline' }]);
    } finally {
      await app.close();
    }
  });

  it("lets the host's guard function in, scoped to the tenants it grants, named in the audit trail", async () => {
    const seen: string[] = [];
    const app = await host({
      guard: (req) => {
        seen.push(String(req.headers['x-user'] ?? '(none)'));
        if (req.headers['x-user'] === 'ops') return { tenants: '*', principal: 'user:ops' };
        if (req.headers['x-user'] === 'acme-support') return { tenants: ['acme'], principal: 'user:acme-support' };
        return null;
      },
    });
    const events: AdminActionEvent[] = [];
    app.get(EventEmitter2).on(ADMIN_ACTION_EVENT, (e: AdminActionEvent) => events.push(e));
    try {
      const server = app.getHttpServer();
      const denied = await request(server).get('/hookline/deliveries').expect(401);
      expect(denied.body.error.code).toBe('UNAUTHORIZED');
      await request(server).get('/hookline/deliveries').set('x-user', 'mallory').expect(401);
      // A bearer token is no way in when the module has none: only the guard decides.
      await request(server).get('/hookline/deliveries').set(bearer).expect(401);

      const access = await request(server).get('/hookline/access').set('x-user', 'acme-support').expect(200);
      expect(access.body).toEqual({ principal: 'user:acme-support', tenants: ['acme'], knownTenants: ['acme'] });
      await request(server).get('/hookline/deliveries?tenant=acme').set('x-user', 'acme-support').expect(200);
      const hidden = await request(server).get('/hookline/deliveries?tenant=globex').set('x-user', 'acme-support').expect(404);
      expect(hidden.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no tenant globex' } });
      await request(server).get('/hookline/deliveries?tenant=globex').set('x-user', 'ops').expect(200);

      await request(server).post('/hookline/deliveries/replay').set('x-user', 'acme-support').send({ filter: { tenant: 'acme' } }).expect(202);
      expect(events.map((e) => [e.action, e.principal, e.tenant])).toEqual([['deliveries.replay', 'user:acme-support', 'acme']]);
      expect(seen).toContain('acme-support');
    } finally {
      await app.close();
    }
  });

  it('takes tokens and the guard together: either lets a request in', async () => {
    const app = await host({ tokens: [{ token: TOKEN, tenants: ['globex'] }], guard: (req) => (req.headers['x-user'] === 'ops' ? { tenants: '*' } : null) });
    try {
      const server = app.getHttpServer();
      const byToken = await request(server).get('/hookline/access').set(bearer).expect(200);
      expect(byToken.body.tenants).toEqual(['globex']);
      const byGuard = await request(server).get('/hookline/access').set('x-user', 'ops').expect(200);
      expect(byGuard.body).toMatchObject({ principal: 'guard', tenants: '*' });
    } finally {
      await app.close();
    }
  });

  it("composes with an app-wide APP_GUARD: it runs first, and can leave admin routes to the module's auth", async () => {
    const guarded: string[] = [];
    class HostAuthGuard implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        guarded.push(context.getHandler().name);
        // The host's own auth for its routes; the admin routes keep theirs (tokens, the module's guard).
        return isHooklineAdminRoute(context) || context.switchToHttp().getRequest().headers['x-session'] === 'ok';
      }
    }
    @Controller('profile')
    class ProfileController {
      @Get()
      me() {
        return { me: true };
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config: CONFIG, watchConfig: false, logger: false }), HooklineAdminModule.forRoot({ tokens: [TOKEN] })],
      controllers: [ProfileController],
      providers: [{ provide: APP_GUARD, useClass: HostAuthGuard }],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const server = app.getHttpServer();
      await request(server).get('/profile').expect(403);
      await request(server).get('/profile').set('x-session', 'ok').expect(200);
      await request(server).get('/hookline/deliveries').set(bearer).expect(200);
      await request(server).get('/hookline/deliveries').expect(401);
      await request(server).get('/hookline/console').expect((res) => expect([200, 503]).toContain(res.status));
      expect(guarded).toEqual(expect.arrayContaining(['me', 'list', 'page']));
    } finally {
      await app.close();
    }
  });

  it('refuses to start with no way in: no tokens, no guard, no admin.tokens in the config', async () => {
    await expect(host({})).rejects.toThrow(/HooklineAdminModule\.forRoot\(\) has no way in: give `tokens`, a `guard` function, or `admin\.tokens` in the config file/);
    // The config file's tokens are a way in.
    process.env.HOOKLINE_ADMIN_MODULE_TEST_TOKEN = TOKEN;
    const app = await host({}, { config: { admin: { tokens: [{ token: '${env:HOOKLINE_ADMIN_MODULE_TEST_TOKEN}' }] }, tenants: {} } });
    try {
      await request(app.getHttpServer()).get('/hookline/deliveries').set(bearer).expect(200);
    } finally {
      await app.close();
      delete process.env.HOOKLINE_ADMIN_MODULE_TEST_TOKEN;
    }
  });

  it('refuses to start without HooklineModule, and names a bad option without echoing its value', async () => {
    @Module({ imports: [HooklineAdminModule.forRoot({ tokens: [TOKEN] })] })
    class AdminOnly {}
    const moduleRef = await Test.createTestingModule({ imports: [AdminOnly] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(/HooklineAdminModule needs HooklineModule\.forRoot\(\.\.\.\)/);
    await app.close();

    expect(() => HooklineAdminModule.forRoot({ tokens: [''] })).toThrow(/Invalid HooklineAdminModule\.forRoot option tokens\.0: expected a non-empty string/);
    expect(() => HooklineAdminModule.forRoot({ path: 'admin/:tenant' })).toThrow(/option path: expected a path such as "hookline"/);
    expect(() => HooklineAdminModule.forRoot({ tokens: [TOKEN], token: TOKEN } as never)).toThrow(/option token: expected no such option/);
    expect(() => HooklineModule.forRoot({ config: CONFIG, admin: { token: TOKEN } } as never)).not.toThrow();
    await expect(
      Test.createTestingModule({ imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config: CONFIG, admin: { token: TOKEN } } as never)] }).compile(),
    ).rejects.toThrow(/admin: expected no admin option here: mount HooklineAdminModule\.forRoot\(\{ tokens \}\)/);
  });
});
