import request from 'supertest';
import { createUserRegisteredEvent, type UserRegisteredEvent } from 'hookline';
import { ADMIN_TOKEN, type HooklineTestApp } from './hookline-test-app';

/** A Standard Webhooks secret (test value). */
export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('hookline-test-secret-0123').toString('base64');

/** A config with one tenant, `acme`, and a webhook consumer per name, all to `url`, retrying quickly. */
export function webhookConfig(url: string, names: string[] = ['crm'], retry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 200 }) {
  return {
    tenants: {
      acme: { connectors: names.map((name) => ({ type: 'webhook', name, url, secret: WEBHOOK_SECRET, retry })) },
    },
  };
}

let counter = 0;
/** A valid event of tenant `acme`, a new user each time. */
export function anEvent(overrides: { id?: string } = {}): UserRegisteredEvent {
  counter += 1;
  return createUserRegisteredEvent({
    tenant: 'acme',
    id: overrides.id,
    user: { id: `user-${counter}`, email: `user${counter}@example.com` },
  });
}

/** `POST /hookline/deliveries/:id/replay` with the admin token. */
export function replay(app: HooklineTestApp, id: string): request.Test {
  return request(app.app.getHttpServer()).post(`/hookline/deliveries/${id}/replay`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
}
