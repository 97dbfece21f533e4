import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { AUTH0_STARTER_PAYLOAD } from '../hooks/runner-sample';
import type { Consumer } from '../config/config.model';
import type { DeliveryRecord } from '../delivery/records/delivery';
import type { DeliveryQuery } from '../delivery/records/delivery-log';
import type { HookConfig } from '../hooks/hook.plugin';
import { isRunnerOutput, loadPastedScript, runHookOnce, type RunnerOutput } from '../hooks/hook-runner';
import { SANDBOX_LIMITS } from '../hooks/host/sandbox.limits';
import { AdminApiController } from './admin-api.decorator';
import { AdminApiError, parseInput } from './api/admin-error';
import { AdminRoute } from './api/admin-route.decorator';
import { isoTime, runnerOutput, tenantId } from './api/admin.schemas';
import { HooklineAdminContext } from './admin-context';
import { scanDeliveries } from './delivery-scan';
import { Access, assertTenantVisible, tenantsOf, type AdminAccess } from './admin-access';

const replayBody = z.strictObject({
  filter: z
    .strictObject({
      tenant: tenantId.optional(),
      consumer: z.string().max(200).optional(),
      eventId: z.string().max(200).optional(),
      since: isoTime.optional(),
      until: isoTime.optional(),
    })
    .default({})
    .describe('Which dead deliveries: every one when empty.'),
  dryRun: z.boolean().optional().describe('Only count the matching dead deliveries.'),
});
const replayAnswer = z.object({ matched: z.number().int(), requeued: z.number().int() });

const statsQuery = z.strictObject({ window: z.literal('1h').optional() });
const statsAnswer = z.object({
  window: z.literal('1h'),
  minutes: z.array(z.object({ at: z.string(), succeeded: z.number().int(), failed: z.number().int(), dead: z.number().int() })),
  waiting: z.number().int().describe('Deliveries waiting to run (pending, failed with a retry due, running).'),
});

const accessAnswer = z.object({
  principal: z.string(),
  tenants: z.union([z.literal('*'), z.array(z.string())]),
  knownTenants: z.array(z.string()),
});

const testParams = z.object({ tenant: tenantId, type: z.string().max(100), name: z.string().max(100) });
const testAnswer = z.object({
  status: z.enum(['succeeded', 'failed']),
  error: z.string().nullable().describe('The redacted `CODE: message` of a failure.'),
  durationMs: z.number(),
  eventId: z.string().describe('The test event\'s id: `test_…`.'),
  detail: z.record(z.string(), z.unknown()).optional().describe('What the connector reported (HubSpot: the object type it read).'),
});

const runnerBody = z
  .strictObject({
    tenant: tenantId.optional(),
    hook: z.string().max(200).optional().describe("A configured hook's name in `tenant`: runs with its secrets and limits."),
    script: z.string().max(200_000).optional().describe('A pasted script: runs with no secret and no allowed host.'),
    event: z.record(z.string(), z.unknown()).optional().describe('Auth0 `{ user, context }` or a user.registered event; default: GET runner/sample.'),
    validateOnly: z.boolean().optional().describe('Check the script (syntax, unsupported require) without running it.'),
  })
  .refine((b) => (b.script === undefined) !== (b.hook === undefined), { message: 'give either script or hook (with tenant)' })
  .refine((b) => b.hook === undefined || b.tenant !== undefined, { message: 'hook needs tenant', path: ['tenant'] });
const validateAnswer = z.object({ valid: z.boolean(), error: runnerOutput.shape.error, warnings: runnerOutput.shape.warnings });

type ValidateAnswer = z.output<typeof validateAnswer>;

/**
 * What the console needs besides deliveries and consumers: who the token is, bulk replay, the last
 * hour at a glance, a test send, and the Runner over HTTP. Documented in docs/admin-api.md.
 */
@AdminApiController()
export class OperationsController {
  constructor(private readonly admin: HooklineAdminContext) {}

  /** The caller's access: every tenant for an unscoped token. */
  @Get('access')
  @AdminRoute({ summary: "The caller's access: principal and tenants", tags: ['meta'], response: accessAnswer })
  access(@Access() access: AdminAccess): z.output<typeof accessAnswer> {
    const known = this.admin.hookline.tenantIds().filter((t) => access.tenants === '*' || access.tenants.includes(t));
    return { principal: access.principal, tenants: access.tenants === '*' ? '*' : [...access.tenants], knownTenants: [...known] };
  }

  /** Replays every dead delivery matching the filter (202); `dryRun` only counts them. */
  @Post('deliveries/replay')
  @HttpCode(202)
  @AdminRoute({ summary: 'Replay every dead delivery matching a filter', tags: ['deliveries'], body: replayBody, response: replayAnswer, errors: [404] })
  async replayMatching(@Body() body: unknown, @Access() access: AdminAccess): Promise<z.output<typeof replayAnswer>> {
    const { filter, dryRun } = parseInput(replayBody, body, 'body');
    if (filter.tenant) assertTenantVisible(access, filter.tenant);
    const dead = await this.scan({ ...filter, status: 'dead', tenants: tenantsOf(access) });
    if (dryRun) return { matched: dead.length, requeued: 0 };
    let requeued = 0;
    for (const record of dead) if ((await this.admin.hookline.replay(record.id)).status === 'replayed') requeued++;
    this.admin.hookline.auditAdminAction(access.principal, 'deliveries.replay', { tenant: filter.tenant, filter, matched: dead.length, requeued });
    return { matched: dead.length, requeued };
  }

  /** Per-minute outcomes over the last hour (by last update), and the backlog: deliveries waiting to run. */
  @Get('stats')
  @AdminRoute({ summary: 'Per-minute outcomes over the last hour, and the waiting count', tags: ['deliveries'], query: statsQuery, response: statsAnswer })
  async stats(@Query() query: unknown, @Access() access: AdminAccess): Promise<z.output<typeof statsAnswer>> {
    parseInput(statsQuery, query, 'query');
    const now = Date.now();
    const start = Math.floor(now / 60_000) * 60_000 - 59 * 60_000;
    const minutes = Array.from({ length: 60 }, (_, i) => ({ at: new Date(start + i * 60_000).toISOString(), succeeded: 0, failed: 0, dead: 0 }));
    let waiting = 0;
    for (const record of await this.scan({ tenants: tenantsOf(access) })) {
      if (record.status === 'pending' || record.status === 'failed' || record.status === 'running') waiting++;
      const slot = Math.floor((Date.parse(record.updatedAt) - start) / 60_000);
      if (slot < 0 || slot >= 60 || !(record.status in minutes[slot])) continue;
      minutes[slot][record.status as 'dead']++;
    }
    return { window: '1h', minutes, waiting };
  }

  /** Sends a test event to one consumer now (no record, no retry): `{ status, error, durationMs }`. */
  @Post('tenants/:tenant/consumers/:type/:name/test')
  @AdminRoute({
    summary: 'Send a test event to one consumer now',
    description:
      'A sample user (`test_…`, test@example.com) in an event marked `test: true` whose id starts with `test_`; no delivery record, ' +
      'no retry. A connector with a test of its own runs it instead (HubSpot: an authenticated read, never an upsert).',
    tags: ['consumers'],
    params: testParams,
    response: testAnswer,
    errors: [404],
  })
  async test(
    @Param('tenant') tenant: string,
    @Param('type') type: string,
    @Param('name') name: string,
    @Access() access: AdminAccess,
  ): Promise<z.output<typeof testAnswer>> {
    assertTenantVisible(access, tenant);
    const result = await this.admin.hookline.sendTestEvent(`${tenant}/${type}/${name}`);
    if (!result) throw new AdminApiError(404, 'NOT_FOUND', `tenant ${tenant} has no enabled consumer ${type}/${name}`);
    this.admin.hookline.auditAdminAction(access.principal, 'consumer.test', { tenant, target: `${tenant}/${type}/${name}`, status: result.status, eventId: result.eventId });
    return result;
  }

  /** The default Runner event: the `user` and `context` Auth0's Runner simulates. */
  @Get('runner/sample')
  @AdminRoute({ summary: 'The default Runner event', tags: ['runner'], response: z.object({ event: z.record(z.string(), z.unknown()) }) })
  sample(): { event: unknown } {
    return { event: AUTH0_STARTER_PAYLOAD };
  }

  /** Runs a hook once, as `hookline run --json` does: a configured hook with its secrets, or a pasted script without any. */
  @Post('runner')
  @HttpCode(200)
  @AdminRoute({
    summary: 'Run a hook once (the Runner over HTTP)',
    description:
      'A configured hook runs with its secrets and limits; a pasted script with no secret and no allowed host. ' +
      'Answers the JSON of `hookline run --json`; with `validateOnly`, `{ valid, error, warnings }`.',
    tags: ['runner'],
    body: runnerBody,
    response: z.union([runnerOutput, validateAnswer]),
    errors: [404],
  })
  async run(@Body() body: unknown, @Access() access: AdminAccess): Promise<RunnerOutput | ValidateAnswer> {
    const input = parseInput(runnerBody, body, 'body');
    if (input.tenant) assertTenantVisible(access, input.tenant);
    const payload = input.event ?? (AUTH0_STARTER_PAYLOAD as unknown as Record<string, unknown>);
    if (input.script !== undefined) {
      const script = loadPastedScript(input.script);
      if (input.validateOnly) {
        return isRunnerOutput(script) ? { valid: false, error: script.error, warnings: [] } : { valid: true, error: null, warnings: script.problems ?? [] };
      }
      if (isRunnerOutput(script)) return script;
      this.admin.hookline.auditAdminAction(access.principal, 'runner.run', { tenant: input.tenant, target: 'pasted script' });
      const limits = { secrets: {}, allowHosts: [], timeoutMs: SANDBOX_LIMITS.defaultTimeoutMs, memoryMb: SANDBOX_LIMITS.defaultMemoryMb };
      return runHookOnce(script, 'runner/pasted.js', payload, limits);
    }
    const consumer = this.hookOf(input.tenant!, input.hook!);
    const config = consumer.config as HookConfig;
    const script = config.script.current();
    if (input.validateOnly) return { valid: true, error: null, warnings: script.problems ?? [] };
    this.admin.hookline.auditAdminAction(access.principal, 'runner.run', { tenant: input.tenant, target: consumer.id });
    const { secrets, allowHosts, memoryMb, ca } = config;
    return runHookOnce(script, `runner/${consumer.id}`, payload, { secrets, allowHosts, memoryMb, ca, timeoutMs: consumer.timeoutMs });
  }

  private hookOf(tenant: string, name: string): Consumer {
    const consumer = this.admin.hookline.consumer(`${tenant}/hook/${name}`);
    if (!consumer || consumer.kind !== 'hook') throw new AdminApiError(404, 'NOT_FOUND', `tenant ${tenant} has no enabled hook ${name}`);
    return consumer;
  }

  private scan(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return scanDeliveries(this.admin.hookline, query);
  }
}
