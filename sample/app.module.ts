import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { storeFromEnv, transportFromEnv } from './app-env';
import { HooklineModule } from 'hookline';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** The example host app: user registration, with Hookline delivering `user.registered`. */
@Module({
  imports: [
    EventEmitterModule.forRoot(),
    // A factory, so that a bad environment fails in NestFactory.create (reported cleanly), not at import.
    HooklineModule.forRootAsync({
      useFactory: () => ({
        config: process.env.HOOKLINE_CONFIG ?? 'examples/hookline.yaml',
        admin: { token: process.env.HOOKLINE_ADMIN_TOKEN || undefined },
        transport: transportFromEnv(),
        // HOOKLINE_STORE_URL (with HOOKLINE_SECRETS_KEY): tenants written at run time through the admin API.
        store: storeFromEnv(),
      }),
    }),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class AppModule {}
