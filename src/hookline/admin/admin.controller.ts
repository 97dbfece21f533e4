import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  GoneException,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryRecord } from '../delivery/records/delivery';
import type { DeliveryPage } from '../delivery/records/delivery-log';
import { HooklineService, type ConsumerSummary } from '../hookline.service';
import type { CircuitView } from '../delivery/executor/destination-guard';
import { AdminTokenGuard } from './admin-token.guard';
import { activityOf, scanDeliveries, type ConsumerActivity } from './delivery-scan';
import { Access, assertTenantVisible, isTenantVisible, tenantsOf, type AdminAccess } from './admin-access';

const listQuery = z.strictObject({
  tenant: z.string().max(64).optional(),
  status: z.enum(DELIVERY_STATUSES as [string, ...string[]]).optional(),
  consumer: z.string().max(200).optional(),
  eventId: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }).optional(),
  until: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().regex(/^[0-9a-z]{1,12}$/, 'expected a cursor from a previous page').optional(),
});

/** View of deliveries, and replay of dead ones. Records hold no secret and no event payload. */
@Controller('hookline')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly hookline: HooklineService) {}

  @Get('deliveries')
  async list(@Query() query: Record<string, unknown>, @Access() access: AdminAccess): Promise<DeliveryPage> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) {
      throw new BadRequestException({
        message: 'invalid query',
        errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', message: i.message })),
      });
    }
    if (parsed.data.tenant) assertTenantVisible(access, parsed.data.tenant);
    return this.hookline.listDeliveries({ ...(parsed.data as Parameters<HooklineService['listDeliveries']>[0]), tenants: tenantsOf(access) });
  }

  /** Enabled consumers with their connector's safe summary (host, fingerprint): never a secret. */
  @Get('consumers')
  async consumers(
    @Query('tenant') tenant: string | undefined,
    @Access() access: AdminAccess,
  ): Promise<{ items: Array<ConsumerSummary & ConsumerActivity & { enabled: true; circuit: CircuitView | null }> }> {
    if (tenant) assertTenantVisible(access, tenant);
    const consumers = this.hookline.listConsumers().filter((c) => isTenantVisible(access, c.tenant) && (!tenant || c.tenant === tenant));
    const activity = activityOf(await scanDeliveries(this.hookline, { tenant, tenants: tenantsOf(access) }));
    const none: ConsumerActivity = { lastSuccessAt: null, lastFailureAt: null };
    // With the circuit of each one's destination: state, consecutive failures, next probe, waiting.
    return {
      items: await Promise.all(
        consumers.map(async (c) => ({ ...c, enabled: true as const, ...(activity.get(c.id) ?? none), circuit: await this.hookline.circuitOf(c.tenant, c.id) })),
      ),
    };
  }

  @Get('deliveries/:id')
  async get(@Param('id') id: string, @Access() access: AdminAccess): Promise<DeliveryRecord> {
    const record = await this.hookline.getDelivery(id);
    if (!record || !isTenantVisible(access, record.tenant)) throw new NotFoundException(`no delivery ${id}`);
    return record;
  }

  /** Re-enqueues a dead delivery with fresh attempts: 202 with its record; 409 unless it is dead. */
  @Post('deliveries/:id/replay')
  @HttpCode(202)
  async replay(@Param('id') id: string, @Access() access: AdminAccess): Promise<DeliveryRecord> {
    const existing = await this.hookline.getDelivery(id);
    if (!existing || !isTenantVisible(access, existing.tenant)) throw new NotFoundException(`no delivery ${id}`);
    const result = await this.hookline.replay(id);
    switch (result.status) {
      case 'replayed':
        this.hookline.auditAdminAction(access.principal, 'delivery.replay', { tenant: existing.tenant, target: id });
        return result.delivery;
      case 'not-found':
        throw new NotFoundException(`no delivery ${id}`);
      case 'not-dead':
        throw new ConflictException(`delivery ${id} is ${result.delivery.status}; only dead deliveries can be replayed`);
      case 'gone':
        throw new GoneException(`delivery ${id} is dead but the transport no longer holds its event (it keeps only the most recent dead deliveries)`);
    }
  }
}
