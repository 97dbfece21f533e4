import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import { fingerprint, PermanentError, type SharedValues } from 'hookline/sdk';
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
  /** The HubSpot account (portal) and app, from the token's info: what HubSpot's limits count by. */
  hubId?: number;
  appId?: number;
  /** The shared value it came from (to drop it when HubSpot refuses the token). */
  sealed: string;
}

/** Access tokens are refreshed this long before they expire (HubSpot's last 30 minutes). */
export const REFRESH_BEFORE_MS = 5 * 60_000;
/** A refresh is not tied to the delivery that started it (others wait for it too): it has its own timeout. */
const REFRESH_TIMEOUT_MS = 10_000;
/** A refused refresh token is not tried again for this long in this process (the customer must reconnect). */
const REFUSED_FOR_MS = 60_000;

/** The OAuth API's per-call options: the same middleware as the CRM's, declared separately by each generated module. */
type OAuthCallOptions = Parameters<Client['oauth']['tokensApi']['create']>[6];

const refused = new Map<string, { error: PermanentError; until: number }>();
const accounts = new Map<string, { hubId: number; appId: number }>();
const MAX_ENTRIES = 10_000;

/** Identifies one customer's connection: never the rotating access token. */
export function connectionKey(oauth: HubSpotOAuth, baseUrl: string): string {
  return fingerprint(`${baseUrl}\0${oauth.clientId}\0${oauth.refreshToken}`);
}

/**
 * A valid access token for the connection, through `shared`: fetched once at a time per connection across
 * every instance (with bullmq) and reused until {@link REFRESH_BEFORE_MS} before it expires. The token is
 * shared sealed (AES-256-GCM under a key derived from the connection's client secret and refresh token),
 * so Redis never holds a usable token. A revoked refresh token fails with HUBSPOT_UNAUTHORIZED.
 */
export async function accessGrant(oauth: HubSpotOAuth, baseUrl: string, shared: SharedValues): Promise<AccessGrant> {
  const id = connectionKey(oauth, baseUrl);
  const stop = refused.get(id);
  if (stop && stop.until > Date.now()) throw stop.error;
  const { value } = await shared.get(
    `hubspot:oauth:${id}`,
    async () => {
      try {
        const grant = await refresh(oauth, baseUrl);
        return { value: seal(oauth, JSON.stringify(grant.body)), expiresAt: grant.expiresAt };
      } catch (error) {
        if (error instanceof PermanentError) remember(refused, id, { error, until: Date.now() + REFUSED_FOR_MS });
        throw error;
      }
    },
    { refreshBeforeMs: REFRESH_BEFORE_MS },
  );
  const body = JSON.parse(open(oauth, value)) as Omit<AccessGrant, 'sealed'>;
  if (body.hubId !== undefined && body.appId !== undefined) remember(accounts, id, { hubId: body.hubId, appId: body.appId });
  return { ...body, sealed: value };
}

/** The access token HubSpot just refused (401): the next delivery fetches another. */
export function dropGrant(oauth: HubSpotOAuth, baseUrl: string, grant: AccessGrant, shared: SharedValues): Promise<void> {
  return shared.drop(`hubspot:oauth:${connectionKey(oauth, baseUrl)}`, grant.sealed);
}

/** The account and app of the connection once known (after its first token), for the rate limiter. */
export function knownAccount(oauth: HubSpotOAuth, baseUrl: string): { hubId: number; appId: number } | undefined {
  return accounts.get(connectionKey(oauth, baseUrl));
}

/** POST /oauth/v1/token (grant_type=refresh_token, form-encoded), then GET /oauth/v1/access-tokens/:token. */
async function refresh(oauth: HubSpotOAuth, baseUrl: string): Promise<{ body: Omit<AccessGrant, 'sealed'>; expiresAt: number }> {
  const client = new Client({ basePath: baseUrl, numberOfApiCallRetries: 0 });
  const signal = AbortSignal.timeout(REFRESH_TIMEOUT_MS);
  const call = callOptions(baseUrl, signal);
  const options = call.options as unknown as OAuthCallOptions;
  try {
    let tokens;
    try {
      tokens = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, oauth.clientId, oauth.clientSecret, oauth.refreshToken, options);
    } catch (error) {
      throw tokenError(error);
    }
    const body: Omit<AccessGrant, 'sealed'> = { accessToken: tokens.accessToken };
    const expiresAt = Date.now() + tokens.expiresIn * 1000;
    try {
      const info = await client.oauth.accessTokensApi.get(tokens.accessToken, options);
      Object.assign(body, { hubId: info.hubId, appId: info.appId });
    } catch {
      // The account only names the rate limiter's key; the token works without it.
    }
    return { body, expiresAt };
  } finally {
    call.done();
  }
}

/** HubSpot answers 400 BAD_REFRESH_TOKEN (revoked, or the app uninstalled), BAD_CLIENT_ID…: permanent. */
function tokenError(thrown: unknown): Error {
  const error = thrown as { code?: unknown; body?: unknown };
  if (error?.code === 400 || error?.code === 401) {
    const body = parse(error.body);
    return new PermanentError(
      `HubSpot refused the OAuth refresh token (${body.status ?? 'BAD_REQUEST'}: ${body.message ?? 'no message'}): the customer must connect HubSpot again`,
      { code: 'HUBSPOT_UNAUTHORIZED' },
    );
  }
  const verdict = classifyHubSpotResponse(thrown);
  return isSuccess(verdict) ? new Error('HubSpot token endpoint answered without a token') : verdict.error;
}

function keyOf(oauth: HubSpotOAuth): Buffer {
  return Buffer.from(hkdfSync('sha256', `${oauth.clientSecret}\0${oauth.refreshToken}`, 'hookline.hubspot.oauth', oauth.clientId, 32));
}

function seal(oauth: HubSpotOAuth, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(oauth), iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(oauth: HubSpotOAuth, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(oauth), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (!map.has(key) && map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}

function parse(body: unknown): { status?: string; message?: string } {
  if (body && typeof body === 'object') return body as { status?: string; message?: string };
  try {
    return typeof body === 'string' ? (JSON.parse(body) as { status?: string; message?: string }) : {};
  } catch {
    return { message: String(body).slice(0, 200) };
  }
}
