/** The admin API's shapes, as far as the console reads them (see docs/admin-api.md and GET <path>/openapi.json). */

export type DeliveryStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'running', 'succeeded', 'failed', 'dead'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Delivery {
  id: string;
  eventId: string;
  tenant: string;
  consumer: string;
  kind: string;
  status: DeliveryStatus;
  /** A count in lists; the detail lists each attempt. */
  attempts: number | Attempt[];
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  durationMs: number | null;
  nextAttemptAt: string | null;
  detail?: Record<string, unknown>;
  /** Where the delivery goes, as the API shows it: hosts and fingerprints, never a secret. */
  target?: Record<string, unknown> | null;
}

export interface Attempt {
  at: string;
  durationMs: number | null;
  outcome: string;
  httpStatus?: number | null;
  error?: string | null;
}

export interface CircuitView {
  state: 'closed' | 'open' | 'half_open';
  consecutiveFailures: number;
  nextProbeAt: string | null;
  waiting: number;
}

export interface Consumer {
  id: string;
  tenant: string;
  kind: string;
  type: string;
  name: string;
  enabled?: boolean;
  summary?: Record<string, unknown>;
  circuit?: CircuitView | null;
  lastSuccessAt?: string | null;
  lastFailureAt?: string | null;
}

/** Who the token is and which tenants it sees (`'*'`: all). */
export interface Access {
  principal: string;
  tenants: '*' | string[];
  /** With `'*'`: the configured tenants. */
  knownTenants?: string[];
}

export interface StatsMinute {
  at: string;
  [outcome: string]: number | string;
}

export interface Stats {
  minutes: StatsMinute[];
  waiting: number;
}

export interface BulkReplayResult {
  matched: number;
  requeued: number;
}

export interface RunnerWarning {
  code: string;
  message: string;
  line?: number | null;
  column?: number | null;
}

/** One outbound request of the hook (the hook's secrets redacted from its URL). */
export interface RunnerRequestMade {
  method: string;
  url: string;
  /** Null when there was no answer (refused, or failed). */
  status: number | null;
  durationMs: number;
  /** The sandbox's policy refused it: `error` says why. */
  refused: boolean;
  error: string | null;
}

export interface RunnerResult {
  status: string;
  response: unknown;
  error: { name: string; message: string } | null;
  logs: Array<{ level: string; message: string }>;
  durationMs: number;
  warnings?: RunnerWarning[];
  requests: RunnerRequestMade[];
}
