import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { isRunnerOutput, loadRunnerScript, runHookOnce, type RunnerOutput } from '../hookline/hooks/hook-runner';
import { parseAllowHost } from '../hookline/hooks/worker/host-policy';
import { readCaOption } from '../hookline/hooks/host/sandbox-trust';
import { SANDBOX_LIMITS } from '../hookline/hooks/host/sandbox.limits';
import { AUTH0_STARTER_PAYLOAD } from '../hookline/hooks/runner-sample';
import { readSecrets } from './secrets';
import { EXIT, UsageError } from './usage.error';

export interface RunOptions {
  event?: string;
  secretsFile?: string;
  secret: string[];
  timeoutMs?: string;
  memoryMb?: string;
  allowHost: string[];
  /** Extra CA certificates (a PEM file) the hook's HTTPS requests trust. */
  ca?: string;
  json?: boolean;
}

/** `hookline run`: runs a hook once in the same sandbox as production, as Auth0's Runner does. */
export async function runCommand(scriptArg: string, options: RunOptions, cwd: string): Promise<number> {
  const scriptPath = resolve(cwd, scriptArg);
  if (!isFile(scriptPath)) throw new UsageError(`script not found: ${scriptArg}`);
  const payload = options.event ? readEvent(resolve(cwd, options.event), options.event) : AUTH0_STARTER_PAYLOAD;
  const secrets = readSecrets(options.secretsFile, options.secret, cwd);
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
  const script = loadRunnerScript(path, shown);
  if (isRunnerOutput(script)) return script;
  const { payload, ...limits } = run;
  return runHookOnce(script, `runner/${basename(path)}`, payload, limits, { workerStderr: true });
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
  if (output.requests.length) {
    lines.push('requests:');
    for (const r of output.requests) {
      const outcome = r.refused ? `refused: ${r.error}` : r.status === null ? `failed: ${r.error}` : String(r.status);
      lines.push(`  ${r.method} ${r.url} -> ${outcome} (${r.durationMs} ms)`);
    }
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
