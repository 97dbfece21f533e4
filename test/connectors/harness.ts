import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import request from 'supertest';
import {
  createUserRegisteredEvent,
  HooklineAdminModule,
  HooklineModule,
  HooklineService,
  type DeliveryRecord,
  type HooklineModuleOptions,
  type UserRegisteredEvent,
} from 'hookline';
import { CaptureLogger } from '../support/capture.logger';

export const ADMIN_TOKEN = 'connectors-admin-token';

export interface ConnectorsApp {
  app: INestApplication;
  hookline: HooklineService;
  logger: CaptureLogger;
  /** Publishes one registration per user and returns the events. */
  register(tenant: string, users: Array<Partial<UserRegisteredEvent['user']> & { id?: string }>): Promise<UserRegisteredEvent[]>;
  /** Every delivery record (the memory log holds them all in these tests). */
  records(): Promise<DeliveryRecord[]>;
  /** Waits until every record has left pending/running/failed, or `predicate` holds. */
  settled(timeoutMs: number, predicate?: (records: DeliveryRecord[]) => boolean): Promise<DeliveryRecord[]>;
  admin(path: string): request.Test;
  close(): Promise<void>;
}

let seq = 0;

/** Boots Hookline in a fixture app (no file watching, quick retries unless the config says otherwise). */
export async function startConnectorsApp(
  options: Partial<HooklineModuleOptions> & { config: Record<string, unknown> },
): Promise<ConnectorsApp> {
  const logger = new CaptureLogger();
  @Module({})
  class FixtureModule {}
  const fixture: DynamicModule = {
    module: FixtureModule,
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({ watchConfig: false, drainTimeoutMs: 500, ...options, logger }),
      HooklineAdminModule.forRoot({ tokens: [ADMIN_TOKEN] }),
    ],
  };
  const app = await NestFactory.create(fixture, { logger: false, abortOnError: false });
  await app.init();
  await app.listen(0, '127.0.0.1');
  const hookline = app.get(HooklineService);

  const records = async () => {
    const all: DeliveryRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await hookline.listDeliveries({ limit: 500, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  };

  return {
    app,
    hookline,
    logger,
    async register(tenant, users) {
      const events = users.map((user) =>
        createUserRegisteredEvent({ tenant, user: { id: user.id ?? `u${++seq}`, ...user } as UserRegisteredEvent['user'] }),
      );
      await Promise.all(events.map((e) => hookline.publish(e)));
      return events;
    },
    records,
    async settled(timeoutMs, predicate) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = await records();
        const done = predicate ? predicate(all) : all.every((r) => r.status === 'succeeded' || r.status === 'dead');
        if (done) return all;
        if (Date.now() > deadline) {
          const counts = all.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
          throw new Error(`deliveries not settled after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    admin(path) {
      return request(app.getHttpServer()).get(path).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    },
    async close() {
      await app.close();
    },
  };
}

/** Quick retries for tests: outcome classes show within a second or two. */
export const QUICK_RETRY = { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 100 };
