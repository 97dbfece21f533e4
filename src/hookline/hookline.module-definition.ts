import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { HooklineModuleOptions } from './hookline.options';

export const {
  ConfigurableModuleClass: HooklineConfigurableModule,
  MODULE_OPTIONS_TOKEN: HOOKLINE_OPTIONS,
  OPTIONS_TYPE: HOOKLINE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HOOKLINE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HooklineModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<{ isGlobal?: boolean }>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
