/**
 * The example app with Hookline taken out and the benchmark's six deliveries written by hand
 * (./deliveries.ts): the same Nest app, the same registration endpoint, validation and body limit, the same
 * `user.registered` event on the same EventEmitter2. `npm run bench:delivery` runs it as the `by-hand`
 * variant (BENCH_VARIANTS=default,by-hand), with HOOKLINE_CONFIG naming the benchmark's config.
 */
import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { USER_REGISTERED, type UserRegisteredEvent } from 'hookline';
import { UsersController } from '../../sample/users/users.controller';
import { UsersService } from '../../sample/users/users.service';
import { ByHandDeliveries } from './deliveries';

@Module({
  imports: [EventEmitterModule.forRoot()],
  controllers: [UsersController],
  providers: [UsersService, { provide: ByHandDeliveries, useFactory: () => new ByHandDeliveries(process.env.HOOKLINE_CONFIG!) }],
})
class ByHandModule implements OnModuleDestroy {
  constructor(
    @Inject(ByHandDeliveries) private readonly deliveries: ByHandDeliveries,
    @Inject(EventEmitter2) events: EventEmitter2,
  ) {
    // As Hookline's listener does: the emitting request goes on at once, the deliveries start on a later tick.
    events.on(USER_REGISTERED, (event: UserRegisteredEvent) => setImmediate(() => deliveries.deliver(event)));
  }

  onModuleDestroy(): void {
    this.deliveries.close();
  }
}

async function main(): Promise<void> {
  if (!process.env.HOOKLINE_CONFIG) throw new Error('HOOKLINE_CONFIG: expected the delivery benchmark config file');
  const app = await NestFactory.create<NestExpressApplication>(ByHandModule, { logger: ['log', 'warn', 'error', 'fatal'], bodyParser: false, forceCloseConnections: true });
  app.useBodyParser('json', { limit: '16kb' }); // The example app's BODY_LIMIT.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  console.log(`By-hand app listening on http://127.0.0.1:${port}`);
}

void main();
