import { isAbsolute, relative, resolve } from 'node:path';
import {
  defineConnector,
  DeliveryTimeoutError,
  PermanentError,
  RetryableError,
  z,
  type ConfigEnv,
  type ConnectorContext,
  type ConnectorPlugin,
} from '../connectors/sdk';
import { HOOK_PLUGIN_TYPE } from '../connectors/connector.registry';
import { parseAllowHost } from './worker/host-policy';
import { toHookInput } from './hook-input';
import { HookScriptError, HookScriptFile, HookScriptText } from './compat/hook-script';
import { SANDBOX_LIMITS } from './host/sandbox.limits';
import type { CpuBudget, HookLogEntry, InvocationResult, Sandbox } from './host/sandbox.types';
import { context } from '@opentelemetry/api';
import { HooklineTelemetry } from '../core/telemetry/hookline-telemetry';

export interface HookConfig {
  script: Pick<HookScriptFile, 'current' | 'displayName'>;
  secrets: Record<string, string>;
  allowHosts: string[];
  memoryMb: number;
  /** Extra CA certificates (PEM) from the config file's `sandbox.ca`. */
  ca?: string;
  /** The tenant's CPU budget in the sandbox (`defaults.sandbox.cpuBudget`, the tenant's `sandbox.cpuBudget`). */
  cpuBudget?: CpuBudget;
}

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function hookSchema(env: ConfigEnv) {
  return z
    .strictObject({
      script: z.string('expected the path of a .js file, relative to the config file').min(1).optional(),
      /** The script's text instead of a path (what the tenant store keeps), with the version it was written as. */
      source: z.string('expected the script\'s JavaScript text').min(1).optional(),
      version: z.number().int().min(1).optional(),
      secrets: z
        .record(z.string(), z.string('expected a string (use ${env:NAME} to read one from the environment)'))
        .superRefine((secrets, ctx) => {
          for (const key of Object.keys(secrets)) {
            if (!SECRET_NAME.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'expected a secret name of letters, digits and "_"' });
          }
        })
        .default({}),
      allowHosts: z
        .array(
          z.string().superRefine((entry, ctx) => {
            const parsed = parseAllowHost(entry);
            if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
          }),
        )
        .default([]),
      memoryMb: z.number().int().min(SANDBOX_LIMITS.minMemoryMb).max(SANDBOX_LIMITS.maxMemoryMb).default(SANDBOX_LIMITS.defaultMemoryMb),
      dependencies: z
        .record(
          z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i, 'expected an npm package name'),
          z.string('expected a semver range, e.g. "^9"').min(1),
        )
        .default({}),
    })
    .superRefine((entry, ctx) => {
      if ((entry.script === undefined) === (entry.source === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['script'], message: 'expected either "script" (a path) or "source" (the script\'s text)' });
      }
    })
    .transform((entry, ctx): HookConfig => {
      const { script: file, source, version, dependencies, ...rest } = entry;
      const ca = {
        ...(env.sandbox?.ca ? { ca: env.sandbox.ca } : {}),
        ...(env.sandbox?.cpuBudget ? { cpuBudget: { ...env.sandbox.cpuBudget } } : {}),
      };
      try {
        if (source !== undefined) {
          const shown = `${env.source}${version ? ` (version ${version})` : ''}`;
          return { ...rest, script: new HookScriptText(source, shown), ...ca };
        }
        const path = isAbsolute(file!) ? file! : resolve(env.baseDir, file!);
        const shown = relative(process.cwd(), path) || path;
        const deps = {
          declared: dependencies,
          resolveFrom: env.sandbox?.resolveFrom ?? env.baseDir,
          strict: env.sandbox?.strictDependencies ?? false,
        };
        return { ...rest, script: new HookScriptFile(path, shown, deps), ...ca };
      } catch (error) {
        const field = error instanceof HookScriptError && error.reason === 'dependency' ? 'dependencies' : source !== undefined ? 'source' : 'script';
        ctx.addIssue({ code: 'custom', path: [field], message: (error as Error).message });
        return z.NEVER;
      }
    });
}

/**
 * The runtime behind `hooks:` entries: each delivery runs the tenant's script in the sandbox.
 * A hook's own failure is permanent; a timeout or a crashed sandbox worker is worth another attempt.
 */
export function createHookPlugin(sandbox: Sandbox, telemetry = new HooklineTelemetry()): ConnectorPlugin<HookConfig> {
  return defineConnector<HookConfig>({
    type: HOOK_PLUGIN_TYPE,
    displayName: 'Hook script',
    description: 'Runs a JavaScript hook (Auth0 Hooks or Actions style) in an isolated-vm sandbox.',
    config: hookSchema,
    secrets: ['secrets'],
    // The sandbox times each invocation from its start: waiting for the tenant's turn in a worker does not count.
    timeouts: { defaultMs: SANDBOX_LIMITS.defaultTimeoutMs, maxMs: SANDBOX_LIMITS.maxTimeoutMs, selfTimed: true },
    describe: (config) => ({
      script: config.script.displayName,
      allowHosts: config.allowHosts,
      secrets: Object.keys(config.secrets),
      memoryMb: config.memoryMb,
    }),
    warnings: (config) => {
      try {
        return config.script.current().warnings ?? [];
      } catch {
        return [];
      }
    },
    async deliver(event, config, ctx) {
      let script;
      try {
        script = config.script.current();
      } catch (error) {
        if (error instanceof HookScriptError) throw new PermanentError(error.message, { code: 'HOOK_SCRIPT_INVALID' });
        throw error;
      }
      const timeoutMs = ctx.timeoutMs ?? SANDBOX_LIMITS.defaultTimeoutMs;
      // The delivery's span: each request the hook makes becomes its child. Hooks' requests go as the
      // script wrote them, without trace headers (docs/observability.md).
      const trace = context.active();
      const result = await sandbox.invoke({
        tenant: event.tenant,
        hookId: ctx.delivery.consumerId,
        script,
        input: toHookInput(event),
        secrets: config.secrets,
        allowHosts: config.allowHosts,
        ca: config.ca,
        timeoutMs,
        memoryMb: config.memoryMb,
        cpuBudget: config.cpuBudget,
        signal: ctx.signal,
        onLog: (entry) => logLine(ctx, entry),
        onRequest: (request) => telemetry.hookRequest(trace, request),
      });
      telemetry.sandboxInvocation(result.status, event.tenant);
      throwUnlessOk(result, timeoutMs);
    },
  });
}

function logLine(ctx: ConnectorContext, entry: HookLogEntry): void {
  const fields = { source: 'hook' };
  if (entry.level === 'error') ctx.log.error(entry.message, fields);
  else if (entry.level === 'warn') ctx.log.warn(entry.message, fields);
  else ctx.log.info(entry.message, fields);
}

/** Maps a sandbox result onto the delivery's error classes. */
export function throwUnlessOk(result: InvocationResult, timeoutMs: number): void {
  if (result.status === 'ok') return;
  const detail = result.error ? `${result.error.name}: ${result.error.message}` : result.status;
  if (result.status === 'timeout') throw new DeliveryTimeoutError(timeoutMs);
  if (result.status === 'memory_limit') throw new PermanentError(detail, { code: 'HOOK_MEMORY_LIMIT' });
  if (result.crashed) throw new RetryableError(detail, { code: 'SANDBOX_CRASHED' });
  throw new PermanentError(detail, { code: 'HOOK_FAILED' });
}
