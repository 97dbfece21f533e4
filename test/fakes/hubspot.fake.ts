import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FakeServer, maxInSlidingWindow, type Reply } from './fake-server';

/**
 * HubSpot's CRM v3 objects API, as documented, for what Hookline uses:
 * - `POST /crm/v3/objects/:type/batch/upsert` (≤ 100 inputs; duplicate ids rejected; 200 when all
 *   succeed, 207 with `errors[]` naming failing inputs by `context.objectWriteTraceId` and `context.ids`);
 * - `POST /crm/v3/objects/:type` (create: 409 "Contact already exists. Existing ID: N");
 * - `GET /crm/v3/objects/:type/:id?idProperty=` (read back);
 * - `GET /crm/v3/objects/:type?limit=&after=` (a page: `{ results, paging?: { next: { after, link } } }`, limit 1 to 100);
 * - Bearer private-app tokens: unknown → 401 `INVALID_AUTHENTICATION`, `scopes: false` → 403 `MISSING_SCOPES`;
 * - per-token limits: a *sliding* window (`TEN_SECONDLY_ROLLING`, default 100 per 10 s: the 101st
 *   request inside any 10 s is rejected) and an optional daily quota (`DAILY`), answered 429 with the
 *   JSON body HubSpot sends and `X-HubSpot-RateLimit-*` headers on every answer;
 * - emails validated: an invalid one fails only its own input (`VALIDATION_ERROR`, `INVALID_EMAIL`).
 *
 * - OAuth (developers.hubspot.com/docs/api/oauth): `POST /oauth/v1/token` (form-encoded,
 *   `grant_type=refresh_token`, `client_id`, `client_secret`, `refresh_token`) answers
 *   `{ access_token, refresh_token, expires_in, token_type }`, or 400 `BAD_REFRESH_TOKEN` / `BAD_CLIENT_ID`
 *   / `BAD_CLIENT_SECRET` / `BAD_GRANT_TYPE`; `GET /oauth/v1/access-tokens/:token` gives its `hub_id`,
 *   `app_id`, `expires_in`; an expired access token answers 401 `EXPIRED_AUTHENTICATION`.
 *
 * Switches: those of {@link FakeServer}, plus `addToken(token, limits)`, `connect(connection)` (an app
 * installed in an account, with its refresh token) and `revoke(refreshToken)` (the refresh token and
 * every access token it gave stop working, as deleting it or uninstalling the app does).
 */
export interface OAuthConnection {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  hubId: number;
  appId: number;
  /** Lifetime of the access tokens it gives, in seconds. @default 1800 */
  expiresInS?: number;
}
export interface HubSpotRequest {
  at: number;
  method: string;
  path: string;
  token: string | undefined;
  status: number | 'reset';
  inputs: number;
  /** The W3C trace context the request carried, if any. */
  traceparent?: string;
}

interface TokenState {
  /** OAuth access tokens only: when it expires, and the connection that gave it. */
  expiresAt?: number;
  refreshToken?: string;
  perWindow: number;
  windowMs: number;
  daily?: number;
  scopes: boolean;
  times: number[];
  usedToday: number;
}

export interface StoredObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  writes: number;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export class HubSpotFake extends FakeServer {
  readonly requests: HubSpotRequest[] = [];
  /** Objects by type, then by id. */
  readonly objects = new Map<string, Map<string, StoredObject>>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly connections = new Map<string, OAuthConnection & { revoked: boolean }>();
  /** Every `POST /oauth/v1/token`, with the refresh token it named and the status it got. */
  readonly tokenRequests: Array<{ at: number; refreshToken: string; status: number; accessToken?: string }> = [];
  private nextId = 1000;

  connect(connection: OAuthConnection): this {
    this.connections.set(connection.refreshToken, { ...connection, revoked: false });
    return this;
  }

  revoke(refreshToken: string): this {
    const connection = this.connections.get(refreshToken);
    if (connection) connection.revoked = true;
    for (const [token, state] of this.tokens) if (state.refreshToken === refreshToken) this.tokens.delete(token);
    return this;
  }

  addToken(token: string, limits: { perWindow?: number; windowMs?: number; daily?: number; scopes?: boolean } = {}): this {
    this.tokens.set(token, {
      perWindow: limits.perWindow ?? 100,
      windowMs: limits.windowMs ?? 10_000,
      daily: limits.daily,
      scopes: limits.scopes ?? true,
      times: [],
      usedToday: 0,
    });
    return this;
  }

  /** Objects of a type, by email (for contacts) or id. */
  all(type = 'contacts'): StoredObject[] {
    return [...(this.objects.get(type)?.values() ?? [])];
  }

  byEmail(email: string, type = 'contacts'): StoredObject | undefined {
    return this.all(type).find((o) => o.properties.email?.toLowerCase() === email.toLowerCase());
  }

  /** Requests this token made (those the fake answered, rate-limited ones included). */
  requestsOf(token: string): HubSpotRequest[] {
    return this.requests.filter((r) => r.token === token);
  }

  /** The most requests of a token the fake saw inside any window of `windowMs`. */
  maxInWindow(token: string, windowMs = 10_000): number {
    return maxInSlidingWindow(this.requestsOf(token).map((r) => r.at), windowMs);
  }

  count(status: number): number {
    return this.requests.filter((r) => r.status === status).length;
  }

  protected handle(req: IncomingMessage, body: string): Reply {
    const url = new URL(req.url ?? '/', this.origin);
    if (url.pathname === '/oauth/v1/token' && req.method === 'POST') return this.issueAccessToken(req, body);
    const info = /^\/oauth\/v1\/access-tokens\/([^/]+)$/.exec(url.pathname);
    if (info && req.method === 'GET') return this.accessTokenInfo(decodeURIComponent(info[1]));
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const state = token ? this.tokens.get(token) : undefined;
    if (!state) {
      return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication.');
    }
    if (state.expiresAt !== undefined && state.expiresAt <= Date.now()) {
      const ago = Math.max(1, Math.round((Date.now() - state.expiresAt) / 1000));
      return error(401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${ago} second(s) ago.`);
    }
    const limited = this.limit(state);
    if (limited) return limited;
    const headers = this.limitHeaders(state);
    if (!state.scopes) {
      return { ...error(403, 'MISSING_SCOPES', 'This app hasn\'t been granted all required scopes to make this call.'), headers };
    }
    const match = /^\/crm\/v3\/objects\/([^/]+)(?:\/(batch\/upsert|[^/]+))?$/.exec(url.pathname);
    if (!match) return { ...error(404, 'OBJECT_NOT_FOUND', 'resource not found'), headers };
    const [, type, rest] = match;
    let parsed: unknown;
    if (req.method === 'POST') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return { ...error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1'), headers };
      }
    }
    const reply =
      rest === 'batch/upsert' && req.method === 'POST'
        ? this.batchUpsert(type, parsed)
        : rest === undefined && req.method === 'POST'
          ? this.create(type, parsed)
          : rest && req.method === 'GET'
            ? this.read(type, rest, url.searchParams.get('idProperty'))
            : rest === undefined && req.method === 'GET'
              ? this.page(type, url.searchParams)
            : error(405, 'VALIDATION_ERROR', 'method not allowed');
    return { ...reply, headers: { ...headers, ...reply.headers } };
  }

  private issueAccessToken(req: IncomingMessage, body: string): Reply {
    const form = new URLSearchParams(body);
    const refreshToken = form.get('refresh_token') ?? '';
    const answer = (reply: Reply, accessToken?: string): Reply => {
      this.tokenRequests.push({ at: Date.now(), refreshToken, status: reply.status, accessToken });
      return reply;
    };
    const oauthError = (status: string, message: string): Reply =>
      answer({ status: 400, body: { status, message, correlationId: randomUUID(), requestId: randomUUID() } });
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return oauthError('BAD_REQUEST', 'expected application/x-www-form-urlencoded');
    }
    if (form.get('grant_type') !== 'refresh_token') return oauthError('BAD_GRANT_TYPE', 'missing or unknown grant type');
    const connection = this.connections.get(refreshToken);
    if (!connection || connection.revoked) return oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
    if (form.get('client_id') !== connection.clientId) return oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
    if (form.get('client_secret') !== connection.clientSecret) return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    const accessToken = `oauth-${randomUUID()}`;
    const expiresInS = connection.expiresInS ?? 1800;
    this.addToken(accessToken);
    Object.assign(this.tokens.get(accessToken)!, { expiresAt: Date.now() + expiresInS * 1000, refreshToken });
    return answer({ status: 200, body: { token_type: 'bearer', refresh_token: refreshToken, access_token: accessToken, expires_in: expiresInS } }, accessToken);
  }

  private accessTokenInfo(token: string): Reply {
    const state = this.tokens.get(token);
    const connection = state?.refreshToken ? this.connections.get(state.refreshToken) : undefined;
    if (!state || !connection || (state.expiresAt ?? 0) <= Date.now()) return error(404, 'OBJECT_NOT_FOUND', 'access token not found or expired');
    return {
      status: 200,
      body: {
        token,
        user: 'owner@example.com',
        hub_domain: `portal-${connection.hubId}.example.com`,
        scopes: ['oauth', 'crm.objects.contacts.write'],
        hub_id: connection.hubId,
        app_id: connection.appId,
        expires_in: Math.round(((state.expiresAt ?? 0) - Date.now()) / 1000),
        user_id: 1,
        token_type: 'access',
      },
    };
  }

  protected record(req: IncomingMessage, body: string, reply: Reply | 'reset'): void {
    let inputs: number;
    try {
      inputs = (JSON.parse(body) as { inputs?: unknown[] }).inputs?.length ?? 0;
    } catch {
      inputs = 0;
    }
    this.requests.push({
      at: Date.now(),
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', this.origin).pathname,
      token: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
      status: reply === 'reset' ? 'reset' : reply.status,
      inputs,
      ...(typeof req.headers.traceparent === 'string' ? { traceparent: req.headers.traceparent } : {}),
    });
  }

  protected failureBody(status: number): unknown {
    return {
      status: 'error',
      message: status >= 500 ? 'internal error' : 'error',
      correlationId: randomUUID(),
      category: status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR',
    };
  }

  /** Counts the request in the token's windows; answers 429 past a limit (rejected requests count too). */
  private limit(state: TokenState): Reply | undefined {
    const now = Date.now();
    state.times = state.times.filter((t) => now - t < state.windowMs);
    if (state.daily !== undefined && state.usedToday >= state.daily) {
      return {
        status: 429,
        body: rateLimitBody('DAILY', 'You have reached your daily limit.'),
        headers: { ...this.limitHeaders(state), 'x-hubspot-ratelimit-daily-remaining': '0' },
      };
    }
    state.times.push(now);
    state.usedToday++;
    if (state.times.length > state.perWindow) {
      return { status: 429, body: rateLimitBody('TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.'), headers: this.limitHeaders(state) };
    }
    return undefined;
  }

  private limitHeaders(state: TokenState): Record<string, string> {
    return {
      'x-hubspot-ratelimit-interval-milliseconds': String(state.windowMs),
      'x-hubspot-ratelimit-max': String(state.perWindow),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, state.perWindow - state.times.length)),
      ...(state.daily !== undefined
        ? {
            'x-hubspot-ratelimit-daily': String(state.daily),
            'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, state.daily - state.usedToday)),
          }
        : {}),
    };
  }

  private batchUpsert(type: string, input: unknown): Reply {
    const inputs = (input as { inputs?: unknown })?.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0) return error(400, 'VALIDATION_ERROR', 'inputs must be a non-empty list');
    if (inputs.length > 100) return error(400, 'VALIDATION_ERROR', `Batch input limit exceeded: ${inputs.length} > 100`);
    const ids = inputs.map((i) => String((i as { id?: unknown }).id ?? '').toLowerCase());
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length) return error(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: [${[...new Set(duplicates)].join(', ')}]`);
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const raw of inputs as Array<{ id: string; idProperty?: string; properties?: Record<string, string>; objectWriteTraceId?: string }>) {
      const idProperty = raw.idProperty ?? 'hs_object_id';
      const properties = { ...raw.properties, [idProperty]: raw.id };
      const context = { ids: [raw.id], ...(raw.objectWriteTraceId ? { objectWriteTraceId: [raw.objectWriteTraceId] } : {}) };
      if (idProperty === 'email' && !EMAIL.test(raw.id)) {
        errors.push({
          status: 'error',
          category: 'VALIDATION_ERROR',
          message: `Property values were not valid: [{"isValid":false,"message":"Email address ${raw.id} is invalid","error":"INVALID_EMAIL","name":"email"}]`,
          context,
          errors: [{ message: `Email address ${raw.id} is invalid`, code: 'INVALID_EMAIL' }],
        });
        continue;
      }
      const { object, created } = this.upsertOne(type, idProperty, raw.id, properties);
      results.push({
        id: object.id,
        properties: object.properties,
        createdAt: object.createdAt,
        updatedAt: object.updatedAt,
        archived: false,
        new: created,
        ...(raw.objectWriteTraceId ? { objectWriteTraceId: raw.objectWriteTraceId } : {}),
      });
    }
    const completedAt = new Date().toISOString();
    if (errors.length === 0) return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } };
    return { status: 207, body: { status: 'COMPLETE', results, errors, numErrors: errors.length, startedAt, completedAt } };
  }

  private upsertOne(type: string, idProperty: string, id: string, properties: Record<string, string>) {
    const store = this.objects.get(type) ?? new Map<string, StoredObject>();
    this.objects.set(type, store);
    const now = new Date().toISOString();
    const existing = [...store.values()].find((o) => (o.properties[idProperty] ?? '').toLowerCase() === id.toLowerCase());
    if (existing) {
      Object.assign(existing.properties, properties);
      existing.updatedAt = now;
      existing.writes++;
      return { object: existing, created: false };
    }
    const object: StoredObject = { id: String(this.nextId++), properties, createdAt: now, updatedAt: now, writes: 1 };
    store.set(object.id, object);
    return { object, created: true };
  }

  private create(type: string, input: unknown): Reply {
    const properties = (input as { properties?: Record<string, string> })?.properties ?? {};
    const existing = properties.email && this.byEmail(properties.email, type);
    if (existing) return error(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
    const { object } = this.upsertOne(type, 'hs_object_id', String(this.nextId), properties);
    return { status: 201, body: { id: object.id, properties: object.properties, createdAt: object.createdAt, updatedAt: object.updatedAt, archived: false } };
  }

  /** A page of objects by id, as HubSpot lists them: `after` is the next id to read, `link` the next page's URL. */
  private page(type: string, query: URLSearchParams): Reply {
    const limit = Number(query.get('limit') ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, 'VALIDATION_ERROR', `limit must be between 1 and 100, got ${query.get('limit')}`);
    const after = Number(query.get('after') ?? 0);
    const objects = this.all(type).filter((o) => Number(o.id) >= after).sort((a, b) => Number(a.id) - Number(b.id));
    const results = objects.slice(0, limit).map((o) => ({ id: o.id, properties: o.properties, createdAt: o.createdAt, updatedAt: o.updatedAt, archived: false }));
    const next = objects[limit];
    const paging = next ? { next: { after: next.id, link: `${this.origin}/crm/v3/objects/${type}?limit=${limit}&after=${next.id}` } } : undefined;
    return { status: 200, body: { results, ...(paging ? { paging } : {}) } };
  }

  private read(type: string, id: string, idProperty: string | null): Reply {
    const found = this.all(type).find((o) => (idProperty ? o.properties[idProperty] === id : o.id === id));
    if (!found) return error(404, 'OBJECT_NOT_FOUND', 'Object not found.');
    return { status: 200, body: { id: found.id, properties: found.properties, createdAt: found.createdAt, updatedAt: found.updatedAt, archived: false } };
  }
}

function error(status: number, category: string, message: string): Reply {
  return { status, body: { status: 'error', message, correlationId: randomUUID(), category } };
}

function rateLimitBody(policyName: string, message: string) {
  return { status: 'error', message, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName, groupName: 'publicapi' };
}
