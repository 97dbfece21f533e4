import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConfigRegistry } from '../config/config.registry';
import { AdminSetupError } from './admin-setup.error';
import { HOOKLINE_ADMIN_BACKEND, type AdminBackend } from './admin-backend';
import { HooklineTenants } from '../tenants/hookline-tenants';
import type { HooklineAdminModuleOptions } from './hookline-admin.options';

export const HOOKLINE_ADMIN_OPTIONS = Symbol('HOOKLINE_ADMIN_OPTIONS');


/**
 * What the admin controllers use of the Hookline instance in the same app: its service, tenants and
 * config. `HooklineModule` need not be global; these are found once every module is created.
 */
@Injectable()
export class HooklineAdminContext implements OnModuleInit {
  private resolved?: { hookline: AdminBackend; tenants: HooklineTenants; config: ConfigRegistry };

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(HOOKLINE_ADMIN_OPTIONS) readonly options: Required<Pick<HooklineAdminModuleOptions, 'path'>> & HooklineAdminModuleOptions,
  ) {}

  get hookline(): AdminBackend {
    return this.get().hookline;
  }

  get tenants(): HooklineTenants {
    return this.get().tenants;
  }

  get config(): ConfigRegistry {
    return this.get().config;
  }

  onModuleInit(): void {
    const { config } = this.get();
    const hasFileTokens = (config.config.adminTokens ?? []).length > 0;
    if (!this.options.tokens?.length && !this.options.guard && !hasFileTokens) {
      throw new AdminSetupError(
        'HooklineAdminModule.forRoot() has no way in: give `tokens`, a `guard` function, or `admin.tokens` in the config file; ' +
          'or leave the module out to serve no admin API',
      );
    }
  }

  private get(): { hookline: AdminBackend; tenants: HooklineTenants; config: ConfigRegistry } {
    if (this.resolved) return this.resolved;
    try {
      const find = <T>(token: symbol | (new (...args: never[]) => T)): T => this.moduleRef.get<T>(token, { strict: false });
      this.resolved = { hookline: find<AdminBackend>(HOOKLINE_ADMIN_BACKEND), tenants: find(HooklineTenants), config: find(ConfigRegistry) };
    } catch {
      throw new AdminSetupError('HooklineAdminModule needs HooklineModule.forRoot(...) (or forRootAsync) imported in the same application');
    }
    return this.resolved;
  }
}
