/**
 * The HubSpot client, set up so that it neither retries nor waits behind Hookline's back, and so that an
 * aborted delivery really stops its request. Quirks of @hubspot/api-client 13.4 worked around here:
 * - `numberOfApiCallRetries` > 0 adds a retry decorator whose 429 wait is a fixed 10 s: we set 0.
 * - Decorators live in a process-wide singleton applied when an API object is first built: we build ours
 *   right after our Client, so another Client's settings elsewhere in the process cannot leak in.
 * - Client-level `middleware`, `httpAgent` and `defaultHeaders` are ignored by `basicApi`/`batchApi` calls
 *   (only per-call options are used): we pass ours per call.
 * - It has no timeout or AbortSignal (node-fetch underneath): a per-call agent is destroyed on abort.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Client } from '@hubspot/api-client';
import type { PromiseConfigurationOptions, RequestContext, ResponseContext } from '@hubspot/api-client/lib/codegen/crm/objects';

export type ObjectsBatchApi = Client['crm']['objects']['batchApi'];
export type ObjectsBasicApi = Client['crm']['objects']['basicApi'];

interface ObjectsApis {
  batchApi: ObjectsBatchApi;
  basicApi: ObjectsBasicApi;
}

const clients = new Map<string, ObjectsApis>();
const MAX_CLIENTS = 256;

/** One client per (token, base URL), shared by every consumer that uses them. */
function apisFor(accessToken: string, basePath: string): ObjectsApis {
  const id = `${basePath}\0${accessToken}`;
  let apis = clients.get(id);
  if (!apis) {
    const client = new Client({ accessToken, basePath, numberOfApiCallRetries: 0 });
    // Both built at once, right after the Client (see above).
    apis = { batchApi: client.crm.objects.batchApi, basicApi: client.crm.objects.basicApi };
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    clients.set(id, apis);
  }
  return apis;
}

/** The batch API (upserts) of the client for a token. */
export function batchApiFor(accessToken: string, basePath: string): ObjectsBatchApi {
  return apisFor(accessToken, basePath).batchApi;
}

/** The basic API (reads: a connection test) of the client for a token. */
export function basicApiFor(accessToken: string, basePath: string): ObjectsBasicApi {
  return apisFor(accessToken, basePath).basicApi;
}

/**
 * Per-call options: our agent (destroyed when `signal` aborts), a User-Agent naming Hookline, and
 * `headers` (the delivery's W3C trace context, from `ctx.http.traceHeaders()`).
 */
export function callOptions(basePath: string, signal: AbortSignal, headers: Record<string, string> = {}): { options: PromiseConfigurationOptions; done(): void } {
  const Agent = basePath.startsWith('https:') ? https.Agent : http.Agent;
  const agent = new Agent({ keepAlive: false });
  const onAbort = () => agent.destroy();
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  const options: PromiseConfigurationOptions = {
    middlewareMergeStrategy: 'replace',
    middleware: [
      {
        pre: async (context: RequestContext) => {
          context.setAgent(agent);
          context.setHeaderParam('User-Agent', 'hookline (hubspot-api-client-nodejs 13.4)');
          for (const [name, value] of Object.entries(headers)) context.setHeaderParam(name, value);
          return context;
        },
        post: async (context: ResponseContext) => context,
      },
    ],
  };
  return {
    options,
    done: () => {
      signal.removeEventListener('abort', onAbort);
      agent.destroy();
    },
  };
}
