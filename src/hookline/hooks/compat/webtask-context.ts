/** Auth0's legacy `context.webtask` of a Hook, built from Hookline's delivery. Plain data: copy it into the isolate. */
export interface WebtaskContext {
  /** The hook's secrets, by the names the config gives them. */
  secrets: Record<string, string>;
  /** Webtask merged secrets and request parameters here; a hook has no request parameters, so: the secrets. */
  data: Record<string, string>;
  /** The hook's metadata. */
  meta: Record<string, string>;
  /** The headers of the (simulated) webtask request. */
  headers: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  params: Record<string, string>;
  /** `tenant/hook`. */
  id: string;
  container: string;
}

export interface WebtaskContextInput {
  tenant: string;
  hookName: string;
  secrets?: Record<string, string>;
  eventId?: string;
  /** @default 'post-user-registration' */
  trigger?: string;
}

export function buildWebtaskContext(input: WebtaskContextInput): WebtaskContext {
  const secrets = { ...(input.secrets ?? {}) };
  const trigger = input.trigger ?? 'post-user-registration';
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Hookline' };
  if (input.eventId) headers['x-hookline-event-id'] = input.eventId;
  return {
    secrets,
    data: { ...secrets },
    meta: {
      'auth0-extension': 'runtime',
      'auth0-extension-name': trigger,
      'hookline-tenant': input.tenant,
      'hookline-hook': input.hookName,
    },
    headers,
    query: {},
    body: {},
    params: {},
    id: `${input.tenant}/${input.hookName}`,
    container: input.tenant,
  };
}
