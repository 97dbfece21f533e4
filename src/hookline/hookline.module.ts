import { Module } from '@nestjs/common';
import { HOOKLINE_ADMIN_BACKEND } from './admin/admin-backend';
import { HooklineListener } from './hookline.listener';
import { HooklineConfigurableModule } from './hookline.module-definition';
import { hooklineProviders } from './hookline.providers';
import { HooklineService } from './hookline.service';
import { HooklineTenants } from './tenants/hookline-tenants';
import { HooklineHealth } from './health/hookline-health';

/**
 * Delivers `user.registered` events to each tenant's hooks and connectors.
 *
 * ```ts
 * imports: [EventEmitterModule.forRoot(), HooklineModule.forRoot({ config: 'hookline.yaml' })]
 * ```
 * The host owns `EventEmitterModule.forRoot()`; start-up fails with a clear error without it. The admin API
 * and the console are a module of their own, `HooklineAdminModule`, mounted by the host if it wants them.
 */
@Module({
  providers: [
    ...hooklineProviders,
    HooklineService,
    HooklineListener,
    // What HooklineAdminModule reads of this instance (found by token, so this module need not be global).
    // An alias, not a factory returning the service: Nest runs lifecycle hooks on every factory's value, so
    // a factory would start (and stop) the service twice — two queue workers, one never drained.
    { provide: HOOKLINE_ADMIN_BACKEND, useExisting: HooklineService },
  ],
  exports: [HooklineService, HooklineTenants, HooklineHealth],
})
export class HooklineModule extends HooklineConfigurableModule {}
