/** Limits of the hook sandbox. Named here so docs, tests and code agree. */
export const SANDBOX_LIMITS = {
  /** A hook's timeout when its entry sets none, and the most it may set. */
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 30_000,
  /** Heap limit of a tenant's isolate. */
  defaultMemoryMb: 64,
  minMemoryMb: 8,
  maxMemoryMb: 1024,
  /** Console lines and bytes kept per invocation; the excess is dropped with one note. */
  maxLogLines: 100,
  maxLogBytes: 64 * 1024,
  maxLogLineBytes: 8 * 1024,
  /** fetch: requests per invocation, timeout per request, response body cap, redirects followed. */
  maxFetchesPerInvocation: 20,
  fetchTimeoutMs: 10_000,
  maxFetchResponseBytes: 1024 * 1024,
  maxFetchRequestBytes: 1024 * 1024,
  maxRedirects: 5,
  /** Pending setTimeout timers per invocation. */
  maxTimersPerInvocation: 1_000,
  /** A response larger than this (as JSON) is dropped, with a warning. */
  maxResponseBytes: 64 * 1024,
  /** Source of one hook script. */
  maxScriptBytes: 1024 * 1024,
  /** The host stops waiting for a worker this long after an invocation's timeout. */
  hostGraceMs: 1_000,
  /**
   * How long a new worker may take to say it is ready (start Node, load isolated-vm). Invocations sent to
   * it meanwhile wait without their timeout running: on a busy machine a start can take seconds, and it
   * is not the hook's time. A worker not ready by then is killed and replaced; its invocations fail as
   * retryable crashes.
   */
  workerStartTimeoutMs: 20_000,
  /** Consecutive timeouts after which a tenant's isolate is replaced. */
  isolateTimeoutStrikes: 3,
  /** Tenant isolates kept per worker (least recently used evicted first), and how long an idle one lives. */
  maxIsolatesPerWorker: 200,
  isolateIdleMs: 5 * 60_000,
  /**
   * Workers in a row that may exit before they ever answer (a broken install, bad runtime flags) and still
   * be started again at once; past it, the next invocation tries, and health checks report the sandbox down.
   */
  workerStartAttempts: 3,
  /** A worker whose resident memory passes this is replaced once its invocations are done. */
  workerMaxRssMb: 1536,
  /**
   * Tenants whose hooks may start at once in one worker (each tenant starts one invocation at a time);
   * the others wait their turn, round-robin.
   */
  cpuSlotsPerWorker: 2,
  /** A tenant's CPU budget when the config sets none (`defaults.sandbox.cpuBudget`). */
  defaultCpuBudget: { cpuMs: 1_000, windowMs: 10_000 },
  /** api.cache of Auth0 Actions: entries per hook, bytes per value. */
  maxCacheEntries: 100,
  maxCacheValueBytes: 2048,
} as const;
