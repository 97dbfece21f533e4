import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HooklineHealthIndicator } from './hookline-health.indicator';

/**
 * Provides {@link HooklineHealthIndicator} to the host's health controller. Import it beside
 * `HooklineModule` and `TerminusModule`; it serves no route of its own:
 *
 * ```ts
 * imports: [TerminusModule, HooklineModule.forRoot({ config: 'hookline.yaml' }), HooklineHealthModule]
 * ```
 */
@Module({
  imports: [TerminusModule],
  providers: [HooklineHealthIndicator],
  exports: [HooklineHealthIndicator],
})
export class HooklineHealthModule {}
