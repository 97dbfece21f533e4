import { BadRequestException, Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryRecord } from '../dispatch/delivery';
import type { DeliveryPage } from '../dispatch/delivery-log';
import { HooklineService, type ConsumerSummary } from '../hookline.service';
import { AdminTokenGuard } from './admin-token.guard';

const listQuery = z.strictObject({
  tenant: z.string().max(64).optional(),
  status: z.enum(DELIVERY_STATUSES as [string, ...string[]]).optional(),
  consumer: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().regex(/^[0-9a-z]{1,12}$/, 'expected a cursor from a previous page').optional(),
});

/** Read-only view of deliveries. Records hold no secret and no event payload. */
@Controller('hookline')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly hookline: HooklineService) {}

  @Get('deliveries')
  async list(@Query() query: Record<string, unknown>): Promise<DeliveryPage> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) {
      throw new BadRequestException({
        message: 'invalid query',
        errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', message: i.message })),
      });
    }
    return this.hookline.listDeliveries(parsed.data as Parameters<HooklineService['listDeliveries']>[0]);
  }

  /** Enabled consumers with their connector's safe summary (host, fingerprint): never a secret. */
  @Get('consumers')
  consumers(): { items: ConsumerSummary[] } {
    return { items: this.hookline.listConsumers() };
  }

  @Get('deliveries/:id')
  async get(@Param('id') id: string): Promise<DeliveryRecord> {
    const record = await this.hookline.getDelivery(id);
    if (!record) throw new NotFoundException(`no delivery ${id}`);
    return record;
  }
}
