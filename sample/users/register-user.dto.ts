import { z } from 'zod';
import { TENANT_ID_PATTERN } from '../../src/hookline/core/events/user-registered.event';

export const tenantIdSchema = z.string().regex(TENANT_ID_PATTERN, `expected a tenant id matching ${TENANT_ID_PATTERN}`);

const metadata = z.record(z.string(), z.unknown(), 'expected an object');

export const registerUserSchema = z.strictObject({
  email: z.email('expected an email address').max(254),
  username: z.string().min(1).max(128).optional(),
  phoneNumber: z.string().regex(/^\+?[0-9 ().-]{3,32}$/, 'expected a phone number').optional(),
  user_metadata: metadata.optional(),
  app_metadata: metadata.optional(),
});

export type RegisterUserDto = z.infer<typeof registerUserSchema>;
