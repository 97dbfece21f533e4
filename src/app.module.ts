import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { HooklineModule } from './hookline';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** The example host app: user registration, with Hookline delivering `user.registered`. */
@Module({
  imports: [
    EventEmitterModule.forRoot(),
    HooklineModule.forRoot({
      config: process.env.HOOKLINE_CONFIG ?? 'examples/hookline.yaml',
      admin: { token: process.env.HOOKLINE_ADMIN_TOKEN || undefined },
    }),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class AppModule {}
