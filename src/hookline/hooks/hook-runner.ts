import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookScriptError, readHookScript } from './compat/hook-script';
import { eventFromPayload, toHookInput } from './hook-input';
import { Redactor } from '../core/logging/redactor';
import { SandboxPool } from './host/sandbox.pool';
import type { HookLogEntry, HookRequestEntry, HookScript, InvocationResult, ScriptWarning } from './host/sandbox.types';
import type { HookStorage } from './storage/hook-storage';

/** What one Runner run answers (`hookline run --json` and the admin API's `POST runner`): a stable contract. */
export interface RunnerOutput {
  status: InvocationResult['status'];
  response: unknown;
  error: { name: string; message: string } | null;
  logs: Array<{ level: string; message: string }>;
  durationMs: number;
  /** What the static check found before the run: a conditional require of a module the sandbox lacks, another module version, a computed require name. */
  warnings: ScriptWarning[];
  /**
   * Every outbound request the hook made, in the order they ended: method, URL (the hook's secrets
   * redacted), status (null without an answer), duration, and whether the sandbox refused it and why.
   */
  requests: HookRequestEntry[];
}

export interface RunnerLimits {
  secrets: Record<string, string>;
  allowHosts: string[];
  timeoutMs: number;
  memoryMb: number;
  ca?: string;
}

/** Reads a script file, or answers the Runner's error for a script that cannot run (syntax, unsupported require). */
export function loadRunnerScript(path: string, shown: string): HookScript | RunnerOutput {
  try {
    return readHookScript(path, shown);
  } catch (error) {
    if (!(error instanceof HookScriptError)) throw error;
    // Unsupported require()s are found before the hook runs, each with its file:line:column.
    const name = error.reason === 'require' ? 'ModuleNotSupportedError' : error.reason === 'dependency' ? 'DependencyError' : 'SyntaxError';
    return { status: 'error', response: null, error: { name, message: error.message }, logs: [], durationMs: 0, warnings: [], requests: [] };
  }
}

/** A pasted script, checked as a file named `shown` would be (a temp file, removed at once). */
export function loadPastedScript(source: string, shown = 'pasted.js'): HookScript | RunnerOutput {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-runner-'));
  try {
    writeFileSync(join(dir, shown), source);
    return loadRunnerScript(join(dir, shown), shown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function isRunnerOutput(value: HookScript | RunnerOutput): value is RunnerOutput {
  return 'status' in value;
}

/** The pool's lines about its worker that end a run: a crash, a start that failed, a process that could not be spawned. */
const WORKER_FAILURES = new Set(['sandbox worker could not start', 'sandbox worker crashed; restarting it', 'sandbox worker error']);

/**
 * Runs a hook once on a payload, in a sandbox pool of its own, and collects every log line until it ends.
 * Its `context.webtask.storage` is `options.storage` (default: empty, in memory, for this run only).
 * A sandbox worker that crashed or could not start adds an `error` line saying why; with `workerStderr`
 * (the command line and `hookline/testing`, on the developer's own machine) it also holds the worker's last
 * lines on stderr, which name paths of the machine: the admin API's answer gives the cause only.
 */
export async function runHookOnce(
  script: HookScript,
  hookId: string,
  payload: Record<string, unknown>,
  limits: RunnerLimits,
  options: { storage?: HookStorage; workerStderr?: boolean } = {},
): Promise<RunnerOutput> {
  const event = eventFromPayload(payload);
  // Every line, including those written by work the hook left running after cb() (until its timeout).
  const logs: HookLogEntry[] = (script.warnings ?? []).map((message) => ({ level: 'warn', message: `[hookline] ${message}` }));
  const redactor = new Redactor(Object.values(limits.secrets).filter((secret) => typeof secret === 'string'));
  const log = (_level: string, message: string, fields: Record<string, unknown> = {}) => {
    if (!WORKER_FAILURES.has(message)) return;
    const parts = [fields.cause, fields.error, options.workerStderr ? fields.stderr : undefined];
    const why = parts.filter((part) => typeof part === 'string' && part !== '').join(': ');
    logs.push({ level: 'error', message: redactor.redact(`[hookline] ${message}${why ? ` (${why})` : ''}`) });
  };
  const pool = new SandboxPool({ size: 1, storage: options.storage, log });
  const requests: HookRequestEntry[] = [];
  let ended!: () => void;
  const over = new Promise<void>((resolve) => (ended = resolve));
  try {
    const result = await pool.invoke({
      tenant: event.tenant,
      hookId,
      script,
      input: toHookInput(event),
      ...limits,
      onLog: (entry) => logs.push(entry),
      onRequest: (entry) => requests.push(entry),
      onEnd: () => ended(),
    });
    await over;
    const { status, response, error, durationMs } = result;
    return { status, response: response ?? null, error, logs, durationMs, warnings: script.problems ?? [], requests };
  } finally {
    await pool.close();
  }
}
