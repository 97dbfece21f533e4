import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { HooklineModuleOptions } from './hookline.options';

export const {
  ConfigurableModuleClass: HooklineConfigurableModule,
  /** The options as the host passed them; providers inject HOOKLINE_OPTIONS, the validated ones. */
  MODULE_OPTIONS_TOKEN: HOOKLINE_OPTIONS_INPUT,
} = new ConfigurableModuleBuilder<HooklineModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<{ isGlobal?: boolean }>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** The module's options, validated (zod) before any part of the module is created. */
export const HOOKLINE_OPTIONS = Symbol('HOOKLINE_OPTIONS');
