import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { HooklineAdminModule, HooklineModule, HooklineService, type DeliveryRecord, type HooklineAdminModuleOptions, type HooklineModuleOptions } from 'hookline';
import { UsersController } from '../../sample/users/users.controller';
import { UsersService } from '../../sample/users/users.service';
import { CaptureLogger } from './capture.logger';

export const ADMIN_TOKEN = 'test-admin-token';

/** What the harness passes to HooklineAdminModule.forRoot, or `false` to leave the admin module out. */
export type TestAdminOptions = HooklineAdminModuleOptions | false;

/**
 * Boots the example host app (registration endpoint + Hookline) around a given Hookline config,
 * with a capturing logger, fast retries and the admin module mounted with {@link ADMIN_TOKEN}
 * (unless `admin` says otherwise).
 */
export class HooklineTestApp {
  readonly logger = new CaptureLogger();
  app!: INestApplication;

  private constructor(private readonly options: HooklineModuleOptions) {}

  static async start(
    options: Partial<HooklineModuleOptions> & Pick<HooklineModuleOptions, 'config'> & { admin?: TestAdminOptions },
    app: { prefix?: string } = {},
  ): Promise<HooklineTestApp> {
    const { admin = { tokens: [ADMIN_TOKEN] }, ...hooklineOptions } = options;
    const harness = new HooklineTestApp({
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
      watchConfig: false,
      ...hooklineOptions,
    });
    harness.options.logger ??= harness.logger;
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot(harness.options), ...(admin ? [HooklineAdminModule.forRoot(admin)] : [])],
      controllers: [UsersController],
      providers: [UsersService],
    }).compile();
    // On close, after Hookline's shutdown hooks (deliveries drained), the server destroys the connections
    // still open. Without it, app.close() waits for every client to drop its connections, and a browser's
    // preconnected connection that never carried a request counts as active in Node (server.close() does
    // not end it): a test closing its own app while a shared browser stays open hung on it.
    harness.app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: true });
    if (app.prefix) harness.app.setGlobalPrefix(app.prefix);
    await harness.app.init();
    return harness;
  }

  get hookline(): HooklineService {
    return this.app.get(HooklineService);
  }

  register(tenant: string, body: Record<string, unknown>): request.Test {
    return request(this.app.getHttpServer()).post(`/tenants/${tenant}/users`).send(body);
  }

  admin(path: string): request.Test {
    return request(this.app.getHttpServer()).get(path).set('authorization', `Bearer ${ADMIN_TOKEN}`);
  }

  async deliveries(query = ''): Promise<DeliveryRecord[]> {
    const res = await this.admin(`/hookline/deliveries${query}`).expect(200);
    return res.body.items;
  }

  /** Polls the delivery log until `predicate` holds for the deliveries, or fails with what it saw. */
  async waitForDeliveries(
    predicate: (items: DeliveryRecord[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<DeliveryRecord[]> {
    const deadline = Date.now() + timeoutMs;
    let items: DeliveryRecord[] = [];
    while (Date.now() < deadline) {
      items = (await this.hookline.listDeliveries({ limit: 500 })).items;
      if (predicate(items)) return items;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`deliveries never matched; last seen:\n${JSON.stringify(items, null, 2)}`);
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}
