import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Module, Req, Res, type DynamicModule } from '@nestjs/common';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

const EXPORTER = Symbol('PROMETHEUS_EXPORTER');

/** `GET /metrics`: every metric of the app's MeterProvider (Hookline's included) in Prometheus text format. */
@Controller('metrics')
class MetricsController {
  constructor(@Inject(EXPORTER) private readonly exporter: PrometheusExporter) {}

  @Get()
  scrape(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(req, res);
  }
}

@Module({})
export class MetricsModule {
  static forRoot(exporter: PrometheusExporter): DynamicModule {
    return { module: MetricsModule, controllers: [MetricsController], providers: [{ provide: EXPORTER, useValue: exporter }] };
  }
}
