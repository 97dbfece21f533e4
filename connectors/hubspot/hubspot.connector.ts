import {
  defineConnector,
  fingerprint,
  PermanentError,
  RetryableError,
  templateField,
  templateScope,
  z,
  type BatchContext,
  type BatchItem,
  type BatchItemResult,
} from 'hookline/sdk';
import { basicApiFor, batchApiFor, callOptions } from './hubspot.client';
import { classifyHubSpotItemError, classifyHubSpotResponse, isSuccess, type ItemVerdict } from './hubspot.errors';
import { accessGrant, connectionKey, dropGrant, knownAccount } from './hubspot.oauth';

const HUBSPOT_API = 'https://api.hubapi.com';
/** The Free/Starter private-app limit. Professional/Enterprise allow 190 per 10 s. */
const DEFAULT_RATE_LIMIT = { requests: 100, perMs: 10_000 } as const;
/** batch/upsert takes at most 100 inputs. */
const MAX_BATCH_INPUTS = 100;

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .refine((url) => {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' || hostname === 'localhost' || /^127\./.test(hostname) || hostname === '[::1]';
  }, 'expected https (plain http only to 127.0.0.1, ::1 or localhost, for local proxies and tests)')
  .transform((url) => url.replace(/\/+$/, ''));

const oauthCredentials = z.strictObject({
  clientId: z.string().min(1, 'expected your HubSpot app\'s client id'),
  clientSecret: z.string().min(1, 'expected your HubSpot app\'s client secret'),
  refreshToken: z.string().min(8, 'expected the refresh token of the customer\'s connection (from the OAuth callback)'),
});

const hubspotConfig = z
  .strictObject({
    accessToken: z.string().min(8, 'expected a private-app access token (pat-...)').optional(),
    /** A public app's OAuth connection: access tokens are fetched and refreshed from the refresh token. */
    oauth: oauthCredentials.optional(),
    objectType: z
      .string()
      .regex(/^([a-z][a-z0-9_]*|\d+-\d+)$/, 'expected an object type (contacts, companies, or an id like 2-123456)')
      .default('contacts'),
    properties: z
      .record(z.string().regex(/^[a-z0-9_]+$/, 'expected a HubSpot internal property name (lowercase, digits, _)'), templateField())
      .refine((p) => Object.keys(p).length > 0, 'expected at least one property'),
    idProperty: z.string().regex(/^[a-z0-9_]+$/, 'expected a HubSpot internal property name').default('email'),
    baseUrl: baseUrl.default(HUBSPOT_API),
    rateLimit: z
      .strictObject({
        requests: z.number().int().min(1).max(10_000).default(DEFAULT_RATE_LIMIT.requests),
        perMs: z.number().int().min(1000).max(86_400_000).default(DEFAULT_RATE_LIMIT.perMs),
      })
      .default({ ...DEFAULT_RATE_LIMIT }),
    batch: z
      .strictObject({
        maxItems: z.number().int().min(1).max(MAX_BATCH_INPUTS).default(MAX_BATCH_INPUTS),
        maxWaitMs: z.number().int().min(0).max(60_000).default(1000),
      })
      .default({ maxItems: MAX_BATCH_INPUTS, maxWaitMs: 1000 }),
  })
  .refine((c) => c.idProperty in c.properties, {
    path: ['properties'],
    message: 'must map the idProperty (the upsert key), e.g. email: "{{ user.email }}"',
  })
  .refine((c) => (c.accessToken === undefined) !== (c.oauth === undefined), {
    path: ['accessToken'],
    message: 'give either accessToken (a private app) or oauth: { clientId, clientSecret, refreshToken } (a public app), not both',
  })
  // The connection's fingerprint: the private-app token, or the OAuth connection (never the rotating access token).
  .transform((c) => ({ ...c, token: c.oauth ? connectionKey(c.oauth, c.baseUrl) : fingerprint(c.accessToken!) }));

export type HubSpotConfig = z.output<typeof hubspotConfig>;

/**
 * Creates or updates the CRM record of each registration, idempotently (upsert by `idProperty`), in
 * micro-batches through `batch/upsert`, within the access token's rate limit.
 */
export const hubspotConnector = defineConnector<HubSpotConfig>({
  type: 'hubspot',
  displayName: 'HubSpot CRM',
  description: 'Upserts a contact (or any CRM object) per registration, batched, within the token\'s rate limit.',
  config: hubspotConfig,
  secrets: ['accessToken', 'oauth'],
  describe: (c) => ({
    host: new URL(c.baseUrl).host,
    token: c.token,
    objectType: c.objectType,
    idProperty: c.idProperty,
    properties: Object.keys(c.properties),
    rateLimit: c.rateLimit,
    batch: c.batch,
  }),
  // One limiter per token, whichever tenant uses it: HubSpot counts per token (per app). With OAuth, per
  // (account, app) once the first token's info names them, until then per connection.
  rateLimit: (c) => ({ key: limiterKey(c), ...c.rateLimit }),
  // The account the token belongs to (its fingerprint until OAuth gives an account id).
  destination: (c) => `hubspot:${c.token}`,
  async deliver(event, config, ctx) {
    const [result] = await upsert([{ event, config, delivery: ctx.delivery }], ctx);
    if (!result.ok) throw result.error;
    return { detail: result.detail };
  },
  // A test reads one record of the object type with the token: it proves the token and its access, and writes nothing.
  test: (config, ctx) => readOne(config, ctx),
  batch: {
    key: (c) => `${c.token}|${c.baseUrl}|${c.objectType}|${c.idProperty}`,
    maxItems: (c) => c.batch.maxItems,
    maxWaitMs: (c) => c.batch.maxWaitMs,
    deliverBatch: (items, ctx) => upsert(items, ctx),
  },
});

interface Group {
  id: string;
  traceId: string;
  properties: Record<string, string>;
  items: number[];
  verdict?: ItemVerdict;
}

/**
 * One batch/upsert for the items. Items with the same id value are sent once (HubSpot rejects duplicate
 * ids in one batch) and share its result. `objectWriteTraceId` (the delivery id) maps results and errors
 * back to items; HubSpot echoes it.
 */
async function upsert(items: BatchItem<HubSpotConfig>[], ctx: Pick<BatchContext, 'signal' | 'shared' | 'http'>): Promise<BatchItemResult[]> {
  const config = items[0].config;
  const results: BatchItemResult[] = new Array(items.length);
  const groups = new Map<string, Group>();
  items.forEach((item, index) => {
    const scope = templateScope(item.event);
    const properties: Record<string, string> = {};
    try {
      // Every mapped property, empty ones included: an email upsert must carry the full property set.
      for (const [name, template] of Object.entries(item.config.properties)) properties[name] = template.render(scope).trim();
    } catch (error) {
      // A template that hits a render limit fails its own delivery, not the batch.
      results[index] = { ok: false, error: new PermanentError(`a property template failed: ${(error as Error).message}`, { code: 'TEMPLATE_FAILED' }) };
      return;
    }
    const id = properties[config.idProperty];
    if (!id) {
      results[index] = {
        ok: false,
        error: new PermanentError(`the ${config.idProperty} template rendered empty: nothing to upsert by`, { code: 'HUBSPOT_NO_ID' }),
      };
      return;
    }
    const key = config.idProperty === 'email' ? id.toLowerCase() : id;
    const group = groups.get(key);
    if (group) {
      Object.assign(group.properties, properties);
      group.items.push(index);
    } else groups.set(key, { id, traceId: item.delivery.id, properties, items: [index] });
  });
  if (groups.size > 0) await send(config, [...groups.values()], ctx);
  for (const group of groups.values()) {
    const verdict = group.verdict ?? { error: new RetryableError('HubSpot\'s answer did not mention this record', { code: 'HUBSPOT_NO_RESULT' }) };
    for (const index of group.items) {
      results[index] = isSuccess(verdict) ? { ok: true, detail: verdict.detail } : { ok: false, error: verdict.error };
    }
  }
  return results;
}

/** An authenticated read of one record (`GET /crm/v3/objects/:type?limit=1`): the connection test. */
async function readOne(config: HubSpotConfig, { signal, shared }: Pick<BatchContext, 'signal' | 'shared'>): Promise<{ detail: Record<string, unknown> }> {
  const grant = config.oauth ? await accessGrant(config.oauth, config.baseUrl, shared) : undefined;
  const api = basicApiFor(grant?.accessToken ?? config.accessToken!, config.baseUrl);
  const { options, done } = callOptions(config.baseUrl, signal);
  try {
    const page = await api.getPage(config.objectType, 1, undefined, undefined, undefined, undefined, undefined, options);
    return { detail: { read: config.objectType, records: page.results?.length ?? 0 } };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    // A refused OAuth access token is dropped, so that the next use fetches a fresh one.
    if (config.oauth && grant && (error as { code?: unknown }).code === 401) await dropGrant(config.oauth, config.baseUrl, grant, shared);
    const verdict = classifyHubSpotResponse(error);
    throw isSuccess(verdict) ? new PermanentError('HubSpot answered the read unexpectedly', { code: 'HUBSPOT_REJECTED' }) : verdict.error;
  } finally {
    done();
  }
}

function limiterKey(c: HubSpotConfig): string {
  const account = c.oauth && knownAccount(c.oauth, c.baseUrl);
  return account ? `hubspot:portal:${account.hubId}:app:${account.appId}` : `hubspot:${c.token}`;
}

async function send(config: HubSpotConfig, groups: Group[], { signal, shared, http }: Pick<BatchContext, 'signal' | 'shared' | 'http'>): Promise<void> {
  const grant = config.oauth ? await accessGrant(config.oauth, config.baseUrl, shared) : undefined;
  const api = batchApiFor(grant?.accessToken ?? config.accessToken!, config.baseUrl);
  const { options, done } = callOptions(config.baseUrl, signal, http.traceHeaders());
  const inputs = groups.map((g) => ({ idProperty: config.idProperty, id: g.id, properties: g.properties, objectWriteTraceId: g.traceId }));
  let response: Awaited<ReturnType<typeof api.upsert>>;
  try {
    response = await api.upsert(config.objectType, { inputs }, options);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (config.oauth && grant && (error as { code?: unknown }).code === 401) {
      // An access token expired or revoked early: the next attempt gets a fresh one (or learns the connection is gone).
      await dropGrant(config.oauth, config.baseUrl, grant, shared);
      throw new RetryableError('HubSpot refused the OAuth access token (401): refreshing it', { code: 'HUBSPOT_TOKEN_EXPIRED' });
    }
    const verdict = classifyHubSpotResponse(error);
    // A whole-request answer applies to every record (a 409 names the one existing record: only one sent).
    if (isSuccess(verdict)) {
      for (const group of groups) group.verdict = verdict;
      return;
    }
    throw verdict.error;
  } finally {
    done();
  }
  const byTrace = new Map(groups.map((g) => [g.traceId, g]));
  const byId = new Map(groups.map((g) => [normalise(config, g.id), g]));
  for (const result of response.results ?? []) {
    const group = (result.objectWriteTraceId && byTrace.get(result.objectWriteTraceId)) || byId.get(normalise(config, result.properties?.[config.idProperty] ?? ''));
    if (group) group.verdict = { detail: { hubspotId: result.id, created: result._new } };
  }
  for (const error of ('errors' in response && response.errors) || []) {
    const verdict = classifyHubSpotItemError(error);
    const traces = error.context?.objectWriteTraceId ?? [];
    const ids = error.context?.ids ?? [];
    for (const trace of traces) if (byTrace.get(trace)) byTrace.get(trace)!.verdict = verdict;
    for (const id of ids) if (byId.get(normalise(config, id))) byId.get(normalise(config, id))!.verdict = verdict;
  }
}

function normalise(config: HubSpotConfig, id: string): string {
  return config.idProperty === 'email' ? id.toLowerCase() : id;
}
