import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { eventFromPayload, AUTH0_STARTER_PAYLOAD, toHookInput } from '../hookline/hooks/hook-input';
import { HookScriptError, readHookScript } from '../hookline/hooks/compat/hook-script';
import { parseAllowHost } from '../hookline/hooks/worker/host-policy';
import { SandboxPool } from '../hookline/hooks/host/sandbox.pool';
import { readCaOption } from '../hookline/hooks/host/sandbox-trust';
import { SANDBOX_LIMITS } from '../hookline/hooks/host/sandbox.limits';
import type { HookLogEntry, InvocationResult, ScriptWarning } from '../hookline/hooks/host/sandbox.types';
import { EXIT, UsageError } from './usage.error';

export interface RunOptions {
  event?: string;
  secret: string[];
  timeoutMs?: string;
  memoryMb?: string;
  allowHost: string[];
  /** Extra CA certificates (a PEM file) the hook's HTTPS requests trust. */
  ca?: string;
  json?: boolean;
}

/** What `hookline run --json` prints: a stable contract, scripted against. */
export interface RunnerOutput {
  status: InvocationResult['status'];
  response: unknown;
  error: { name: string; message: string } | null;
  logs: Array<{ level: string; message: string }>;
  durationMs: number;
  /** What the static check found before the run: a conditional require of a module the sandbox lacks, another module version, a computed require name. */
  warnings: ScriptWarning[];
}

/** `hookline run`: runs a hook once in the same sandbox as production, as Auth0's Runner does. */
export async function runCommand(scriptArg: string, options: RunOptions, cwd: string): Promise<number> {
  const scriptPath = resolve(cwd, scriptArg);
  if (!isFile(scriptPath)) throw new UsageError(`script not found: ${scriptArg}`);
  const payload = options.event ? readEvent(resolve(cwd, options.event), options.event) : AUTH0_STARTER_PAYLOAD;
  const secrets = parseSecrets(options.secret);
  const timeoutMs = parseInteger('--timeout-ms', options.timeoutMs, SANDBOX_LIMITS.defaultTimeoutMs, 1, SANDBOX_LIMITS.maxTimeoutMs);
  const memoryMb = parseInteger('--memory-mb', options.memoryMb, SANDBOX_LIMITS.defaultMemoryMb, SANDBOX_LIMITS.minMemoryMb, SANDBOX_LIMITS.maxMemoryMb);
  for (const host of options.allowHost) {
    const parsed = parseAllowHost(host);
    if (typeof parsed === 'string') throw new UsageError(`--allow-host: ${parsed}`);
  }
  let ca: string | undefined;
  if (options.ca !== undefined) {
    try {
      ca = readCaOption(options.ca, cwd, '--ca');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const output = await invoke(scriptPath, scriptArg, { payload, secrets, timeoutMs, memoryMb, allowHosts: options.allowHost, ca });
  if (options.json) process.stdout.write(JSON.stringify(output) + '\n');
  else process.stdout.write(formatReadable(output));
  return output.status === 'ok' ? EXIT.ok : EXIT.failed;
}

async function invoke(
  path: string,
  shown: string,
  run: { payload: Record<string, unknown>; secrets: Record<string, string>; timeoutMs: number; memoryMb: number; allowHosts: string[]; ca?: string },
): Promise<RunnerOutput> {
  let script;
  try {
    script = readHookScript(path, shown);
  } catch (error) {
    if (!(error instanceof HookScriptError)) throw error;
    // Unsupported require()s are found before the hook runs, each with its file:line:column.
    const name = error.reason === 'require' ? 'ModuleNotSupportedError' : 'SyntaxError';
    return { status: 'error', response: null, error: { name, message: error.message }, logs: [], durationMs: 0, warnings: [] };
  }
  const event = eventFromPayload(run.payload);
  const pool = new SandboxPool({ size: 1 });
  // Every line, including those written by work the hook left running after cb() (until its timeout).
  const logs: HookLogEntry[] = (script.warnings ?? []).map((message) => ({ level: 'warn', message: `[hookline] ${message}` }));
  let ended!: () => void;
  const over = new Promise<void>((resolve) => (ended = resolve));
  try {
    const result = await pool.invoke({
      tenant: event.tenant,
      hookId: `runner/${basename(path)}`,
      script,
      input: toHookInput(event),
      secrets: run.secrets,
      allowHosts: run.allowHosts,
      ca: run.ca,
      timeoutMs: run.timeoutMs,
      memoryMb: run.memoryMb,
      onLog: (entry) => logs.push(entry),
      onEnd: () => ended(),
    });
    await over;
    const { status, response, error, durationMs } = result;
    return { status, response: response ?? null, error, logs, durationMs, warnings: script.problems ?? [] };
  } finally {
    await pool.close();
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readEvent(path: string, shown: string): Record<string, unknown> {
  if (!isFile(path)) throw new UsageError(`event file not found: ${shown}`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`invalid JSON in ${shown}: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { user?: unknown }).user !== 'object') {
    throw new UsageError(`${shown} must hold an object with a "user" object (and optionally "context"), or a user.registered event`);
  }
  return value as Record<string, unknown>;
}

function parseSecrets(pairs: string[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--secret expects KEY=VALUE, received ${JSON.stringify(pair.split('=')[0])}`);
    secrets[key] = pair.slice(eq + 1);
  }
  return secrets;
}

function parseInteger(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag} expects an integer from ${min} to ${max}, received ${JSON.stringify(value)}`);
  return n;
}

function formatReadable(output: RunnerOutput): string {
  const lines = [`status: ${output.status} (${output.durationMs} ms)`];
  if (output.logs.length) {
    lines.push('logs:');
    for (const log of output.logs) lines.push(`  [${log.level}] ${log.message}`);
  }
  if (output.error) lines.push(`error: ${output.error.name}: ${output.error.message}`);
  if (output.response !== null) {
    lines.push(`response (ignored at post-user-registration, as on Auth0):`, indent(JSON.stringify(output.response, null, 2)));
  }
  return lines.join('\n') + '\n';
}

function indent(text: string): string {
  return text.split('\n').map((l) => '  ' + l).join('\n');
}
