import { Module } from '@nestjs/common';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { AdminController } from './admin/admin.controller';
import { ConsoleController } from './admin/console/console.controller';
import { OperationsController } from './admin/operations.controller';
import { HooklineListener } from './hookline.listener';
import { HooklineConfigurableModule } from './hookline.module-definition';
import { hooklineProviders } from './hookline.providers';
import { HooklineService } from './hookline.service';
import { HooklineTenants } from './tenants/hookline-tenants';

/**
 * Delivers `user.registered` events to each tenant's hooks and connectors.
 *
 * ```ts
 * imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config: 'hookline.yaml' })]
 * ```
 * The host owns `EventEmitterModule.forRoot()`; start-up fails with a clear error without it.
 */
@Module({
  providers: [...hooklineProviders, HooklineService, HooklineListener, AdminTokenGuard],
  controllers: [AdminController, OperationsController, ConsoleController],
  exports: [HooklineService, HooklineTenants],
})
export class HooklineModule extends HooklineConfigurableModule {}
