import { Client } from '@hubspot/api-client';
import { fingerprint, PermanentError } from 'hookline/sdk';
import { callOptions } from './hubspot.client';
import { classifyHubSpotResponse, isSuccess } from './hubspot.errors';

/** A HubSpot app's OAuth credentials for one customer account (all three are secrets). */
export interface HubSpotOAuth {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** An access token and the account it acts for. */
export interface AccessGrant {
  accessToken: string;
  expiresAt: number;
  /** The HubSpot account (portal) and app, from the token's info: what HubSpot's limits count by. */
  hubId?: number;
  appId?: number;
}

/** Access tokens are refreshed this long before they expire (HubSpot's last 30 minutes). */
export const REFRESH_BEFORE_MS = 5 * 60_000;
/** A refresh is not tied to the delivery that started it (others wait for it too): it has its own timeout. */
const REFRESH_TIMEOUT_MS = 10_000;
/** A refused refresh token is not tried again for this long (the customer must connect again meanwhile). */
const REFUSED_FOR_MS = 60_000;

interface Slot {
  grant?: AccessGrant;
  pending?: Promise<AccessGrant>;
  refused?: { error: PermanentError; until: number };
}

/** The OAuth API's per-call options: the same middleware as the CRM's, declared separately by each generated module. */
type OAuthCallOptions = Parameters<Client['oauth']['tokensApi']['create']>[6];

const slots = new Map<string, Slot>();
const MAX_SLOTS = 10_000;

/** Identifies one customer's connection: never the rotating access token. */
export function connectionKey(oauth: HubSpotOAuth, baseUrl: string): string {
  return fingerprint(`${baseUrl}\0${oauth.clientId}\0${oauth.refreshToken}`);
}

/**
 * A valid access token for the connection. One refresh at a time per connection in this process
 * (concurrent deliveries wait for the same one), and only when the token is within
 * {@link REFRESH_BEFORE_MS} of expiring. A revoked refresh token fails with HUBSPOT_UNAUTHORIZED.
 */
export async function accessGrant(oauth: HubSpotOAuth, baseUrl: string, now = Date.now): Promise<AccessGrant> {
  const key = connectionKey(oauth, baseUrl);
  let slot = slots.get(key);
  if (!slot) {
    if (slots.size >= MAX_SLOTS) slots.delete(slots.keys().next().value!);
    slots.set(key, (slot = {}));
  }
  if (slot.grant && slot.grant.expiresAt - REFRESH_BEFORE_MS > now()) return slot.grant;
  if (slot.refused && slot.refused.until > now()) throw slot.refused.error;
  const current = slot;
  current.pending ??= refresh(oauth, baseUrl, AbortSignal.timeout(REFRESH_TIMEOUT_MS), now)
    .then((grant) => ((current.grant = grant), (current.refused = undefined), grant))
    .catch((error: unknown) => {
      if (error instanceof PermanentError) current.refused = { error, until: now() + REFUSED_FOR_MS };
      throw error;
    })
    .finally(() => (current.pending = undefined));
  return current.pending;
}

/** The access token HubSpot just refused (401): the next delivery refreshes it. */
export function dropGrant(oauth: HubSpotOAuth, baseUrl: string, accessToken: string): void {
  const slot = slots.get(connectionKey(oauth, baseUrl));
  if (slot?.grant?.accessToken === accessToken) slot.grant = undefined;
}

/** The account and app of the connection once known (after its first token), for the rate limiter. */
export function knownAccount(oauth: HubSpotOAuth, baseUrl: string): { hubId: number; appId: number } | undefined {
  const grant = slots.get(connectionKey(oauth, baseUrl))?.grant;
  return grant?.hubId !== undefined && grant.appId !== undefined ? { hubId: grant.hubId, appId: grant.appId } : undefined;
}

/** POST /oauth/v1/token (grant_type=refresh_token, form-encoded), then GET /oauth/v1/access-tokens/:token. */
async function refresh(oauth: HubSpotOAuth, baseUrl: string, signal: AbortSignal, now: () => number): Promise<AccessGrant> {
  const client = new Client({ basePath: baseUrl, numberOfApiCallRetries: 0 });
  const call = callOptions(baseUrl, signal);
  const options = call.options as unknown as OAuthCallOptions;
  try {
    let tokens;
    try {
      tokens = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, oauth.clientId, oauth.clientSecret, oauth.refreshToken, options);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw tokenError(error);
    }
    const grant: AccessGrant = { accessToken: tokens.accessToken, expiresAt: now() + tokens.expiresIn * 1000 };
    try {
      const info = await client.oauth.accessTokensApi.get(tokens.accessToken, options);
      Object.assign(grant, { hubId: info.hubId, appId: info.appId });
    } catch {
      // The account only names the rate limiter's key; the token works without it.
    }
    return grant;
  } finally {
    call.done();
  }
}

/** HubSpot answers 400 BAD_REFRESH_TOKEN (revoked, or the app uninstalled), BAD_CLIENT_ID… : permanent. */
function tokenError(thrown: unknown): Error {
  const error = thrown as { code?: unknown; body?: unknown };
  if (error?.code === 400 || error?.code === 401) {
    const body = parse(error.body);
    const status = body.status ?? 'BAD_REQUEST';
    return new PermanentError(
      `HubSpot refused the OAuth refresh token (${status}: ${body.message ?? 'no message'}): the customer must connect HubSpot again`,
      { code: 'HUBSPOT_UNAUTHORIZED' },
    );
  }
  const verdict = classifyHubSpotResponse(thrown);
  return isSuccess(verdict) ? new Error('HubSpot token endpoint answered without a token') : verdict.error;
}

function parse(body: unknown): { status?: string; message?: string } {
  if (body && typeof body === 'object') return body as { status?: string; message?: string };
  try {
    return typeof body === 'string' ? (JSON.parse(body) as { status?: string; message?: string }) : {};
  } catch {
    return { message: String(body).slice(0, 200) };
  }
}
