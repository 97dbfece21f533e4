import type { Type } from '@nestjs/common';
import { AdminController } from './admin.controller';
import { ConsoleController } from './console/console.controller';
import { OpenApiController } from './openapi.controller';
import { OperationsController } from './operations.controller';
import { AdminTokensController } from './admin-tokens.controller';
import { TenantsController } from './tenants.controller';
import { ErasureController } from './erasure.controller';

/**
 * Every controller of the admin module, mounted under its path. One line per controller: the OpenAPI
 * document and its test read the routes from here.
 */
export const ADMIN_API_CONTROLLERS: readonly Type[] = [AdminController, OperationsController, ErasureController, TenantsController, AdminTokensController, OpenApiController, ConsoleController];
