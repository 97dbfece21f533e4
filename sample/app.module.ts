import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { transportFromEnv } from './app-env';
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
      }),
    }),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class AppModule {}
