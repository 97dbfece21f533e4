/** What a hook gets, by script form. Plain, JSON-serialisable data: it is copied into the isolate. */
export interface HookInput {
  /** Auth0 Hooks: `user`, and `context` without `webtask`/`secrets` (the sandbox adds them). */
  user: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Auth0 Actions: `event`, without `secrets` (the sandbox adds them). */
  actionsEvent: Record<string, unknown>;
  /** The event's id: `context.webtask.headers['x-hookline-event-id']`. */
  eventId?: string;
}

/** A hook's script, as read from disk. `hash` identifies the version: a new hash is compiled afresh. */
export interface HookScript {
  filename: string;
  source: string;
  hash: string;
  /** What the static check found worth a warning (`file:line:column: ...`): other module versions, computed require names. */
  warnings?: string[];
  /** The same warnings, structured (the Runner's JSON `warnings`). */
  problems?: ScriptWarning[];
  /** npm packages it uses, bundled for the isolate (registered in its context, loaded on first require). */
  dependencies?: Array<{ id: string; name: string; version: string; source: string }>;
  /**
   * The script as the sandbox loads it, when it was analysed already (readHookScript does): the CommonJS
   * wrapper and the modules its context needs. Without it, the sandbox prepares the source itself.
   */
  prepared?: { code: string; modules: string[] };
}

/** One warning of the static check of a script: a stable code, the message (`file:line:column: ...`), where. */
export interface ScriptWarning {
  code: string;
  message: string;
  line: number;
  column: number;
}

export type LogLevel = 'log' | 'info' | 'warn' | 'error';

export interface HookLogEntry {
  level: LogLevel;
  message: string;
}

/** A tenant's CPU budget in the sandbox: `cpuMs` of isolate CPU per sliding `windowMs` (see docs/isolation.md). */
export interface CpuBudget {
  cpuMs: number;
  windowMs: number;
}

/**
 * One outbound request of a hook, as the Runner shows it: the URL with the hook's secrets redacted,
 * the status (null when there was no answer), and whether the sandbox's policy refused it (with why).
 */
export interface HookRequestEntry {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  refused: boolean;
  /** Why it was refused or failed (`fetch: host x:443 is not in allowHosts`); null when answered. */
  error: string | null;
}

export interface HookInvocation {
  tenant: string;
  /** Stable id of the hook (the consumer id); one long-lived context per hook. */
  hookId: string;
  script: HookScript;
  input: HookInput;
  secrets: Readonly<Record<string, string>>;
  /** Parsed `allowHosts` entries, as given in the config (`api.example.com`, `*.example.com:8443`, `10.0.0.5`). */
  allowHosts: readonly string[];
  /** Extra CA certificates (PEM text) its HTTPS requests trust, besides the pool's and Node's. */
  ca?: string;
  /** From when it starts running: time waiting for its turn does not count. */
  timeoutMs: number;
  memoryMb: number;
  /** Its tenant's CPU budget; past it, the tenant's hooks go after other tenants' waiting ones. */
  cpuBudget?: CpuBudget;
  /** Aborting it ends the invocation (status `error`). */
  signal?: AbortSignal;
  /** Called for every console line, including those written after the result (work left running after `cb`). */
  onLog?(entry: HookLogEntry): void;
  /** Called for every outbound request, once it is answered, failed or refused. */
  onRequest?(entry: HookRequestEntry): void;
  /** Called once the invocation is over: after its result and any work it left running (until its timeout). */
  onEnd?(): void;
}

export type InvocationStatus = 'ok' | 'error' | 'timeout' | 'memory_limit';

/** The outcome of one invocation. The Runner prints it as is (less `crashed`). */
export interface InvocationResult {
  status: InvocationStatus;
  response: unknown;
  error: { name: string; message: string } | null;
  logs: HookLogEntry[];
  durationMs: number;
  /** The sandbox failed (a worker crashed), not the hook: worth another attempt. */
  crashed?: boolean;
}

/** How a sandbox's workers are doing, for health checks. */
export interface SandboxStatus {
  /** Worker processes running and answering. */
  workers: number;
  /** Workers in a row that exited before they ever answered (0 once one answers): a sandbox that cannot start. */
  failedStarts: number;
}

/**
 * Runs hook scripts in isolation. Behind a token so hosts and tests can swap it. It enforces each
 * invocation's `timeoutMs` itself (the delivery executor sets no timer on hook attempts), counted from
 * when the invocation starts running.
 */
export interface Sandbox {
  invoke(invocation: HookInvocation): Promise<InvocationResult>;
  /** Ends every worker. In-flight invocations end with status `error`. */
  close(): Promise<void>;
  /** Its workers' state, for health checks; a sandbox without it counts as able to run hooks. */
  status?(): SandboxStatus;
}
