import { Get, Inject, type Type } from '@nestjs/common';
import { z } from 'zod';
import { AdminApiController } from './admin-api.decorator';
import { AdminRoute } from './api/admin-route.decorator';
import { buildOpenApiDocument } from './api/openapi.document';
import { readPackageVersion } from '../core/util/package-version';
import { HOOKLINE_ADMIN_CONTROLLERS } from './admin-controllers.token';


/** The OpenAPI 3.1 document of the admin routes as this app mounts them, built once from the code. */
@AdminApiController()
export class OpenApiController {
  private document?: Record<string, unknown>;

  constructor(@Inject(HOOKLINE_ADMIN_CONTROLLERS) private readonly controllers: readonly Type[]) {}

  @Get('openapi.json')
  @AdminRoute({ summary: 'This document', tags: ['meta'], response: z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document.') })
  openapi(): Record<string, unknown> {
    return (this.document ??= buildOpenApiDocument(this.controllers, { title: 'Hookline admin API', version: readPackageVersion() }));
  }
}
