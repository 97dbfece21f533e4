import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { HealthSetupError } from './health-setup.error';
import { HooklineHealth } from './hookline-health';

/**
 * Hookline as a `@nestjs/terminus` health indicator: `up`, `degraded` (HTTP 200: Redis unreachable, a
 * rejected config change, open circuits) or `down` (HTTP 503: no config loaded, no sandbox worker starts;
 * an unreachable Redis too with `health.failOnTransportDown`), with the report's details.
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.hookline.isHealthy()]); }
 * ```
 */
@Injectable()
export class HooklineHealthIndicator implements OnModuleInit {
  private health?: HooklineHealth;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Finds the app's `HooklineModule` (it need not be global): a clear start-up error without one. */
  onModuleInit(): void {
    try {
      this.health = this.moduleRef.get(HooklineHealth, { strict: false });
    } catch {
      throw new HealthSetupError('HooklineHealthModule needs HooklineModule.forRoot(...) (or forRootAsync) imported in the same application');
    }
  }

  /** The check, under `key` in terminus' answer. */
  async isHealthy(key = 'hookline'): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const { status, ...details } = await this.health!.check();
    if (status === 'down') return session.down(details);
    return status === 'degraded' ? session.degraded(details) : session.up(details);
  }
}
