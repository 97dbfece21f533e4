import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminExceptionFilter } from './api/admin-exception.filter';

/**
 * Marks a class as an admin API controller: routes relative to the admin path (the module mounts it
 * there), the admin auth (tokens, host guard), and errors as `{ error: { code, message, issues? } }`.
 * List the class in `ADMIN_API_CONTROLLERS` (admin.controllers.ts) and give each route an `@AdminRoute`.
 */
export const AdminApiController = (): ClassDecorator => applyDecorators(Controller(), UseGuards(AdminAuthGuard), UseFilters(AdminExceptionFilter));
