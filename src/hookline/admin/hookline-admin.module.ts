import { type DynamicModule, Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { HOOKLINE_ADMIN_OPTIONS, HooklineAdminContext } from './admin-context';
import { ADMIN_API_CONTROLLERS } from './admin.controllers';
import { HOOKLINE_ADMIN_CONTROLLERS } from './admin-controllers.token';
import { mountControllers } from './admin-mount';
import { AdminExceptionFilter } from './api/admin-exception.filter';
import { ADMIN_DEFAULT_PATH, type HooklineAdminModuleOptions } from './hookline-admin.options';
import { normalizeAdminOptions } from './hookline-admin.options.schema';


/**
 * The admin API and the console, mounted where the host chooses, beside `HooklineModule`:
 *
 * ```ts
 * imports: [
 *   HooklineModule.forRoot({ config: 'hookline.yaml' }),
 *   HooklineAdminModule.forRoot({ tokens: [process.env.ADMIN_TOKEN!] }), // /hookline/deliveries, /hookline/console, …
 * ]
 * ```
 * Without tokens (here or in the config file) and without a `guard`, start-up fails: nothing would get in.
 */
@Module({})
export class HooklineAdminModule {
  static forRoot(options: HooklineAdminModuleOptions = {}): DynamicModule {
    const normalized = normalizeAdminOptions(options);
    const controllers = mountControllers(ADMIN_API_CONTROLLERS, normalized.path ?? ADMIN_DEFAULT_PATH);
    return {
      module: HooklineAdminModule,
      controllers,
      providers: [
        { provide: HOOKLINE_ADMIN_OPTIONS, useValue: normalized },
        { provide: HOOKLINE_ADMIN_CONTROLLERS, useValue: controllers },
        HooklineAdminContext,
        AdminAuthGuard,
        AdminExceptionFilter,
      ],
    };
  }
}
