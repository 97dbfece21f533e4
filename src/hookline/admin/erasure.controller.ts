import { Delete, HttpCode, Param } from '@nestjs/common';
import { z } from 'zod';
import { fingerprint } from '../connectors/sdk';
import { AdminApiController } from './admin-api.decorator';
import { parseInput } from './api/admin-error';
import { AdminRoute } from './api/admin-route.decorator';
import { HooklineAdminContext } from './admin-context';
import { Access, tenantsOf, type AdminAccess } from './admin-access';

const eraseParams = z.object({ userId: z.string().min(1).max(200).describe("The user's id, as in the events (`user.id`).") });
const eraseAnswer = z.object({ erased: z.number().int().describe('Deliveries erased: waiting ones cancelled, recorded ones removed.') });

/** Erasure of a user's data (GDPR requests). Documented in docs/admin-api.md ("Retention and erasure"). */
@AdminApiController()
export class ErasureController {
  constructor(private readonly admin: HooklineAdminContext) {}

  /** Erases a user's deliveries and their payloads; a scoped token, only within its tenants. */
  @Delete('users/:userId/data')
  @HttpCode(200)
  @AdminRoute({
    summary: "Erase a user's data from waiting and recorded deliveries",
    description:
      'Every delivery of an event about the user: a waiting one is cancelled (nothing is sent; a request already in flight ' +
      'completes), its record and payload removed, as are those of finished deliveries and dead ones kept for replay. ' +
      "A scoped token erases only within its tenants. Audited as `user.erase`, naming the user by a fingerprint of the id.",
    tags: ['users'],
    params: eraseParams,
    response: eraseAnswer,
  })
  async erase(@Param() params: unknown, @Access() access: AdminAccess): Promise<z.output<typeof eraseAnswer>> {
    const { userId } = parseInput(eraseParams, params, 'params');
    const tenants = tenantsOf(access);
    const { erased } = await this.admin.hookline.eraseUserData(userId, tenants);
    // The audit trail names the user by a fingerprint: it must not keep what was just erased.
    this.admin.hookline.auditAdminAction(access.principal, 'user.erase', { target: `user:${fingerprint(userId)}`, erased, tenants: tenants ?? '*' });
    return { erased };
  }
}
