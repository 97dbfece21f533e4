import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AUTH0_STARTER_PAYLOAD } from '../hooks/runner-sample';
import type { Consumer } from '../config/config.model';
import type { DeliveryRecord } from '../delivery/records/delivery';
import type { DeliveryQuery } from '../delivery/records/delivery-log';
import type { HookConfig } from '../hooks/hook.plugin';
import { isRunnerOutput, loadPastedScript, runHookOnce, type RunnerOutput } from '../hooks/hook-runner';
import { SANDBOX_LIMITS } from '../hooks/host/sandbox.limits';
import { HooklineService } from '../hookline.service';
import { AdminTokenGuard } from './admin-token.guard';
import { scanDeliveries } from './delivery-scan';
import { Access, assertTenantVisible, tenantsOf, type AdminAccess } from './admin-access';

const TENANT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected a tenant id');
const ISO = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time such as 2026-12-05T18:00:00Z' });

const replayBody = z.strictObject({
  filter: z
    .strictObject({ tenant: TENANT.optional(), consumer: z.string().max(200).optional(), eventId: z.string().max(200).optional(), since: ISO.optional(), until: ISO.optional() })
    .default({}),
  dryRun: z.boolean().optional(),
});

const statsQuery = z.strictObject({ window: z.literal('1h').optional() });

const runnerBody = z
  .strictObject({
    tenant: TENANT.optional(),
    hook: z.string().max(200).optional().describe("A configured hook's name in `tenant`: runs with its secrets and limits."),
    script: z.string().max(200_000).optional().describe('A pasted script: runs with no secret and no allowed host.'),
    event: z.record(z.string(), z.unknown()).optional().describe('Auth0 `{ user, context }` or a user.registered event; default: GET runner/sample.'),
    validateOnly: z.boolean().optional().describe('Check the script (syntax, unsupported require) without running it.'),
  })
  .refine((b) => (b.script === undefined) !== (b.hook === undefined), { message: 'give either script or hook (with tenant)' })
  .refine((b) => b.hook === undefined || b.tenant !== undefined, { message: 'hook needs tenant', path: ['tenant'] });

/**
 * What the console needs besides deliveries and consumers: who the token is, bulk replay, the last
 * hour at a glance, and the Runner over HTTP. Documented in docs/admin-api.md.
 */
@Controller('hookline')
@UseGuards(AdminTokenGuard)
export class OperationsController {
  constructor(private readonly hookline: HooklineService) {}

  /** The caller's access: every tenant for the admin token. */
  @Get('access')
  access(@Access() access: AdminAccess): { principal: string; tenants: '*' | readonly string[]; knownTenants: readonly string[] } {
    const known = this.hookline.tenantIds().filter((t) => access.tenants === '*' || access.tenants.includes(t));
    return { principal: access.principal, tenants: access.tenants, knownTenants: known };
  }

  /** Replays every dead delivery matching the filter (202); `dryRun` only counts them. */
  @Post('deliveries/replay')
  @HttpCode(202)
  async replayMatching(@Body() body: unknown, @Access() access: AdminAccess): Promise<{ matched: number; requeued: number }> {
    const { filter, dryRun } = parse(replayBody, body ?? {}, 'body');
    if (filter.tenant) assertTenantVisible(access, filter.tenant);
    const dead = await this.scan({ ...filter, status: 'dead', tenants: tenantsOf(access) });
    if (dryRun) return { matched: dead.length, requeued: 0 };
    let requeued = 0;
    for (const record of dead) if ((await this.hookline.replay(record.id)).status === 'replayed') requeued++;
    this.hookline.auditAdminAction(access.principal, 'deliveries.replay', { tenant: filter.tenant, filter, matched: dead.length, requeued });
    return { matched: dead.length, requeued };
  }

  /** Per-minute outcomes over the last hour (by last update), and the backlog: deliveries waiting to run. */
  @Get('stats')
  async stats(@Query() query: unknown, @Access() access: AdminAccess): Promise<{ window: '1h'; minutes: Array<Record<string, string | number>>; waiting: number }> {
    parse(statsQuery, query ?? {}, 'query');
    const now = Date.now();
    const start = Math.floor(now / 60_000) * 60_000 - 59 * 60_000;
    const minutes = Array.from({ length: 60 }, (_, i) => ({ at: new Date(start + i * 60_000).toISOString(), succeeded: 0, failed: 0, dead: 0 }));
    let waiting = 0;
    for (const record of await this.scan({ tenants: tenantsOf(access) })) {
      if (record.status === 'pending' || record.status === 'failed' || record.status === 'running') waiting++;
      const slot = Math.floor((Date.parse(record.updatedAt) - start) / 60_000);
      if (slot < 0 || slot >= 60 || !(record.status in minutes[slot])) continue;
      (minutes[slot] as Record<string, number | string>)[record.status] = (minutes[slot][record.status as 'dead'] ?? 0) + 1;
    }
    return { window: '1h', minutes, waiting };
  }

  /** Sends a test event to one consumer now (no record, no retry): `{ status, error, durationMs }`. */
  @Post('tenants/:tenant/consumers/:type/:name/test')
  async test(
    @Param('tenant') tenant: string,
    @Param('type') type: string,
    @Param('name') name: string,
    @Access() access: AdminAccess,
  ): Promise<{ status: string; error: string | null; durationMs: number }> {
    assertTenantVisible(access, tenant);
    const result = await this.hookline.sendTestEvent(`${tenant}/${type}/${name}`);
    if (!result) throw new NotFoundException(`tenant ${tenant} has no enabled consumer ${type}/${name}`);
    return result;
  }

  /** The default Runner event: the `user` and `context` Auth0's Runner simulates. */
  @Get('runner/sample')
  sample(): { event: unknown } {
    return { event: AUTH0_STARTER_PAYLOAD };
  }

  /** Runs a hook once, as `hookline run --json` does: a configured hook with its secrets, or a pasted script without any. */
  @Post('runner')
  async run(@Body() body: unknown, @Access() access: AdminAccess): Promise<RunnerOutput | { valid: boolean; error: RunnerOutput['error']; warnings: RunnerOutput['warnings'] }> {
    const input = parse(runnerBody, body ?? {}, 'body');
    if (input.tenant) assertTenantVisible(access, input.tenant);
    const payload = input.event ?? (AUTH0_STARTER_PAYLOAD as unknown as Record<string, unknown>);
    if (input.script !== undefined) {
      const script = loadPastedScript(input.script);
      if (input.validateOnly) {
        return isRunnerOutput(script) ? { valid: false, error: script.error, warnings: [] } : { valid: true, error: null, warnings: script.problems ?? [] };
      }
      if (isRunnerOutput(script)) return script;
      this.hookline.auditAdminAction(access.principal, 'runner.run', { tenant: input.tenant, target: 'pasted script' });
      const limits = { secrets: {}, allowHosts: [], timeoutMs: SANDBOX_LIMITS.defaultTimeoutMs, memoryMb: SANDBOX_LIMITS.defaultMemoryMb };
      return runHookOnce(script, 'runner/pasted.js', payload, limits);
    }
    const consumer = this.hookOf(input.tenant!, input.hook!);
    const config = consumer.config as HookConfig;
    const script = config.script.current();
    if (input.validateOnly) return { valid: true, error: null, warnings: script.problems ?? [] };
    this.hookline.auditAdminAction(access.principal, 'runner.run', { tenant: input.tenant, target: consumer.id });
    const { secrets, allowHosts, memoryMb, ca } = config;
    return runHookOnce(script, `runner/${consumer.id}`, payload, { secrets, allowHosts, memoryMb, ca, timeoutMs: consumer.timeoutMs });
  }

  private hookOf(tenant: string, name: string): Consumer {
    const consumer = this.hookline.consumer(`${tenant}/hook/${name}`);
    if (!consumer || consumer.kind !== 'hook') throw new NotFoundException(`tenant ${tenant} has no enabled hook ${name}`);
    return consumer;
  }

  private scan(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return scanDeliveries(this.hookline, query);
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, part: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BadRequestException({
    message: `invalid ${part}`,
    errors: parsed.error.issues.map((i) => ({ field: [part, ...i.path.map(String)].join('.'), message: i.message })),
  });
}
