import { basename, resolve } from 'node:path';
import type { UserRegisteredEvent } from '../hookline/core/events/user-registered.event';
import { isRunnerOutput, loadPastedScript, loadRunnerScript, runHookOnce, type RunnerOutput } from '../hookline/hooks/hook-runner';
import { SANDBOX_LIMITS } from '../hookline/hooks/host/sandbox.limits';
import { AUTH0_STARTER_PAYLOAD } from '../hookline/hooks/runner-sample';
import { parseAllowHost } from '../hookline/hooks/worker/host-policy';

/** What a hook run answers: the same contract as `hookline run --json`. */
export type HookRunResult = RunnerOutput;

export interface RunHookOptions {
  /**
   * The event the hook receives: a `user.registered` event, or Auth0's `{ user, context }`.
   * @default the user and context of Auth0's Post User Registration starter (as `hookline run`)
   */
  event?: UserRegisteredEvent | { user: Record<string, unknown>; context?: Record<string, unknown> };
  /** The hook's secrets (`context.webtask.secrets`, `event.secrets`). @default {} */
  secrets?: Record<string, string>;
  /** Hosts the hook's `fetch` and HTTP modules may reach (`api.example.com`, `*.example.com`, `127.0.0.1:8080`). @default [] */
  allowHosts?: string[];
  /** @default 10000 (at most 30000) */
  timeoutMs?: number;
  /** Heap limit of the hook's isolate. @default 64 */
  memoryMb?: number;
  /** Extra CA certificates (PEM text) the hook's HTTPS requests trust. */
  ca?: string;
}

/**
 * Runs a hook script file once, in the same sandbox as production (a worker process, the tenant's isolate,
 * the policy-checked fetch), and answers its status, response, error and every log line it wrote.
 * A script that cannot run (a syntax error, a module the sandbox lacks) answers status `error`.
 */
export function runHook(scriptPath: string, options: RunHookOptions = {}): Promise<HookRunResult> {
  const path = resolve(scriptPath);
  return run(loadRunnerScript(path, basename(path)), basename(path), options);
}

/** Like {@link runHook}, for a script given as source text (`filename` names it in stack traces and errors). */
export function runHookSource(source: string, options: RunHookOptions & { filename?: string } = {}): Promise<HookRunResult> {
  const { filename = 'hook.js', ...rest } = options;
  return run(loadPastedScript(source, filename), filename, rest);
}

async function run(script: ReturnType<typeof loadRunnerScript>, shown: string, options: RunHookOptions): Promise<HookRunResult> {
  const limits = checkOptions(options);
  if (isRunnerOutput(script)) return script;
  const payload = (options.event ?? AUTH0_STARTER_PAYLOAD) as Record<string, unknown>;
  return runHookOnce(script, `test/${shown}`, payload, limits, { workerStderr: true });
}

function checkOptions(options: RunHookOptions) {
  const secrets = options.secrets ?? {};
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value !== 'string') throw new TypeError(`runHook: secrets.${name} must be a string, received ${typeof value}`);
  }
  const allowHosts = options.allowHosts ?? [];
  for (const host of allowHosts) {
    const parsed = parseAllowHost(host);
    if (typeof parsed === 'string') throw new TypeError(`runHook: allowHosts: ${parsed}`);
  }
  const timeoutMs = integer('timeoutMs', options.timeoutMs, SANDBOX_LIMITS.defaultTimeoutMs, 1, SANDBOX_LIMITS.maxTimeoutMs);
  const memoryMb = integer('memoryMb', options.memoryMb, SANDBOX_LIMITS.defaultMemoryMb, SANDBOX_LIMITS.minMemoryMb, SANDBOX_LIMITS.maxMemoryMb);
  if (options.ca !== undefined && !options.ca.includes('-----BEGIN')) throw new TypeError('runHook: ca must be PEM text (-----BEGIN CERTIFICATE-----…)');
  return { secrets, allowHosts, timeoutMs, memoryMb, ...(options.ca ? { ca: options.ca } : {}) };
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new TypeError(`runHook: ${name} must be an integer from ${min} to ${max}, received ${value}`);
  return value;
}
