import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { HooklineHealthIndicator } from 'hookline/health';

/**
 * `GET /health` for a load balancer: terminus' JSON, 200 while sign-ups can be taken (`ok`, or `degraded`
 * when deliveries are impaired), 503 when Hookline is `down`.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly hookline: HooklineHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.hookline.isHealthy()]);
  }
}
