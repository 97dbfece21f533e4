import { Module } from '@nestjs/common';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { AdminController } from './admin/admin.controller';
import { AdminTokensController } from './admin/admin-tokens.controller';
import { ConsoleController } from './admin/console/console.controller';
import { OperationsController } from './admin/operations.controller';
import { TenantsController } from './admin/tenants.controller';
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
  controllers: [AdminController, OperationsController, TenantsController, AdminTokensController, ConsoleController],
  exports: [HooklineService, HooklineTenants],
})
export class HooklineModule extends HooklineConfigurableModule {}
