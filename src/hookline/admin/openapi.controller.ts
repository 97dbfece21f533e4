import { Get, Inject, Req, type Type } from '@nestjs/common';
import { z } from 'zod';
import { AdminApiController } from './admin-api.decorator';
import { AdminRoute } from './api/admin-route.decorator';
import { buildOpenApiDocument } from './api/openapi.document';
import { readPackageVersion } from '../core/util/package-version';
import { HOOKLINE_ADMIN_CONTROLLERS } from './admin-controllers.token';
import { HooklineAdminContext } from './admin-context';


/** The OpenAPI 3.1 document of the admin routes as this app mounts them, built once from the code. */
@AdminApiController()
export class OpenApiController {
  private document?: Record<string, unknown>;

  constructor(
    @Inject(HOOKLINE_ADMIN_CONTROLLERS) private readonly controllers: readonly Type[],
    private readonly admin: HooklineAdminContext,
  ) {}

  @Get('openapi.json')
  @AdminRoute({ summary: 'This document', tags: ['meta'], response: z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document.') })
  openapi(@Req() req: { originalUrl?: string; url?: string }): Record<string, unknown> {
    this.document ??= buildOpenApiDocument(this.controllers, this.admin.options.path, { title: 'Hookline admin API', version: readPackageVersion() });
    // Where this request reached the API, global prefix and RouterModule path included: a client generated from it just works.
    const served = (req.originalUrl ?? req.url ?? '').split('?')[0].replace(/\/openapi\.json$/, '');
    return served ? { ...this.document, servers: [{ url: served }] } : this.document;
  }
}
