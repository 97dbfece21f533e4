import { Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import type { DeliveryRecord } from '../delivery/records/delivery';
import type { DeliveryPage } from '../delivery/records/delivery-log';
import type { CircuitView } from '../delivery/executor/destination-guard';
import { AdminApiController } from './admin-api.decorator';
import { AdminApiError, parseInput } from './api/admin-error';
import { AdminRoute } from './api/admin-route.decorator';
import { consumerItem, deliveryPage, deliveryRecord, deliveryStatus, isoTime, tenantId } from './api/admin.schemas';
import type { AdminConsumerSummary } from './admin-backend';
import { HooklineAdminContext } from './admin-context';
import { activityOf, scanDeliveries, type ConsumerActivity } from './delivery-scan';
import { Access, assertTenantVisible, isTenantVisible, tenantsOf, type AdminAccess } from './admin-access';

const listQuery = z.strictObject({
  tenant: tenantId.optional(),
  status: deliveryStatus.optional(),
  consumer: z.string().max(200).optional().describe('A consumer id, `tenant/type/name`.'),
  eventId: z.string().max(200).optional(),
  since: isoTime.optional().describe('Last updated at or after this time.'),
  until: isoTime.optional().describe('Last updated before this time.'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('Page size. Default 50.'),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'expected a cursor from a previous page').optional().describe('`nextCursor` of the previous page (opaque).'),
});
const consumersQuery = z.strictObject({ tenant: tenantId.optional() });
const deliveryParams = z.object({ id: z.string().max(200) });

/** View of deliveries, and replay of dead ones. Records hold no secret and no event payload. */
@AdminApiController()
export class AdminController {
  constructor(private readonly admin: HooklineAdminContext) {}

  @Get('deliveries')
  @AdminRoute({ summary: 'Deliveries, newest first, filtered and paginated', tags: ['deliveries'], query: listQuery, response: deliveryPage, errors: [404] })
  async list(@Query() query: unknown, @Access() access: AdminAccess): Promise<DeliveryPage> {
    const filter = parseInput(listQuery, query, 'query');
    if (filter.tenant) assertTenantVisible(access, filter.tenant);
    return this.admin.hookline.listDeliveries({ ...(filter as Omit<typeof filter, 'status'> & { status?: DeliveryRecord['status'] }), tenants: tenantsOf(access) });
  }

  /** Enabled consumers with their connector's safe summary (host, fingerprint): never a secret. */
  @Get('consumers')
  @AdminRoute({
    summary: 'Enabled consumers with their circuit, last success and last failure',
    tags: ['consumers'],
    query: consumersQuery,
    response: z.object({ items: z.array(consumerItem) }),
    errors: [404],
  })
  async consumers(
    @Query() query: unknown,
    @Access() access: AdminAccess,
  ): Promise<{ items: Array<AdminConsumerSummary & ConsumerActivity & { enabled: true; circuit: CircuitView | null }> }> {
    const { tenant } = parseInput(consumersQuery, query, 'query');
    if (tenant) assertTenantVisible(access, tenant);
    const hookline = this.admin.hookline;
    const consumers = hookline.listConsumers().filter((c) => isTenantVisible(access, c.tenant) && (!tenant || c.tenant === tenant));
    const activity = activityOf(await scanDeliveries(hookline, { tenant, tenants: tenantsOf(access) }));
    const none: ConsumerActivity = { lastSuccessAt: null, lastFailureAt: null };
    // With the circuit of each one's destination: state, consecutive failures, next probe, waiting.
    return {
      items: await Promise.all(
        consumers.map(async (c) => ({ ...c, enabled: true as const, ...(activity.get(c.id) ?? none), circuit: await hookline.circuitOf(c.tenant, c.id) })),
      ),
    };
  }

  @Get('deliveries/:id')
  @AdminRoute({ summary: 'One delivery with its attempts', tags: ['deliveries'], params: deliveryParams, response: deliveryRecord, errors: [404] })
  async get(@Param('id') id: string, @Access() access: AdminAccess): Promise<DeliveryRecord> {
    const record = await this.admin.hookline.getDelivery(id);
    if (!record || !isTenantVisible(access, record.tenant)) throw noDelivery(id);
    return record;
  }

  /** Re-enqueues a dead delivery with fresh attempts: 202 with its record; 409 unless it is dead. */
  @Post('deliveries/:id/replay')
  @HttpCode(202)
  @AdminRoute({
    summary: 'Replay one dead delivery with fresh attempts',
    description: '409 `NOT_DEAD` unless the delivery is dead; 410 `GONE` when the transport no longer holds its event.',
    tags: ['deliveries'],
    params: deliveryParams,
    response: deliveryRecord,
    errors: [404, 409, 410],
  })
  async replay(@Param('id') id: string, @Access() access: AdminAccess): Promise<DeliveryRecord> {
    const hookline = this.admin.hookline;
    const existing = await hookline.getDelivery(id);
    if (!existing || !isTenantVisible(access, existing.tenant)) throw noDelivery(id);
    const result = await hookline.replay(id);
    switch (result.status) {
      case 'replayed':
        hookline.auditAdminAction(access.principal, 'delivery.replay', { tenant: existing.tenant, target: id });
        return result.delivery;
      case 'not-found':
        throw noDelivery(id);
      case 'not-dead':
        throw new AdminApiError(409, 'NOT_DEAD', `delivery ${id} is ${result.delivery.status}; only dead deliveries can be replayed`);
      case 'gone':
        throw new AdminApiError(410, 'GONE', `delivery ${id} is dead but the transport no longer holds its event (it keeps only the most recent dead deliveries)`);
    }
  }
}

function noDelivery(id: string): AdminApiError {
  return new AdminApiError(404, 'NOT_FOUND', `no delivery ${id}`);
}
