import type { INestApplication, LoggerService } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  createUserRegisteredEvent,
  HooklineModule,
  HooklineService,
  type HooklineModuleOptions,
  type UserRegisteredEvent,
} from '../../src/hookline';

export const ADMIN_TOKEN = 'test-admin-token';
/** A Standard Webhooks secret (test value). */
export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('hookline-test-secret-0123').toString('base64');

/** A config with one tenant, `acme`, and a webhook consumer per name, all to `url`, retrying quickly. */
export function webhookConfig(url: string, names: string[] = ['crm'], retry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 200 }) {
  return {
    tenants: {
      acme: { connectors: names.map((name) => ({ type: 'webhook', name, url, secret: WEBHOOK_SECRET, retry })) },
    },
  };
}

/** Keeps what Hookline logs, for assertions. */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; line: string }[] = [];
  log(line: string) {
    this.lines.push({ level: 'log', line });
  }
  error(line: string) {
    this.lines.push({ level: 'error', line });
  }
  warn(line: string) {
    this.lines.push({ level: 'warn', line });
  }
  debug(line: string) {
    this.lines.push({ level: 'debug', line });
  }
  matching(pattern: RegExp) {
    return this.lines.filter((l) => pattern.test(l.line));
  }
}

export interface TestApp {
  app: INestApplication;
  hookline: HooklineService;
  emitter: EventEmitter2;
  logger: CapturingLogger;
  admin(): { get(path: string): request.Test; post(path: string): request.Test };
  close(): Promise<void>;
}

/** Boots Hookline in a fixture app (event emitter + module + admin API), inline config, no file watching. */
export async function startHooklineApp(options: Partial<HooklineModuleOptions> & { config: HooklineModuleOptions['config'] }): Promise<TestApp> {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({ watchConfig: false, logger, admin: { token: ADMIN_TOKEN }, ...options }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const auth = (t: request.Test) => t.set('authorization', `Bearer ${ADMIN_TOKEN}`);
  return {
    app,
    hookline: app.get(HooklineService),
    emitter: app.get(EventEmitter2),
    logger,
    admin: () => ({
      get: (path: string) => auth(request(app.getHttpServer()).get(path)),
      post: (path: string) => auth(request(app.getHttpServer()).post(path)),
    }),
    close: () => app.close(),
  };
}

let counter = 0;
export function anEvent(overrides: { id?: string } = {}): UserRegisteredEvent {
  counter += 1;
  return createUserRegisteredEvent({
    tenant: 'acme',
    id: overrides.id,
    user: { id: `user-${counter}`, email: `user${counter}@example.com` },
  });
}
