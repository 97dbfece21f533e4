import type { ConfigEnv, ConnectorLogger, ConnectorPlugin } from '../hookline/connectors/sdk';
import { createHttpClient } from '../hookline/connectors/http-client';
import { ConnectorRequestError, DeliveryTimeoutError } from '../hookline/core/errors/delivery.errors';
import { createUserRegisteredEvent, type UserRegisteredEvent } from '../hookline/core/events/user-registered.event';
import { classifyError, messageOf } from '../hookline/delivery/executor/error-classifier';
import { deliveryIdFor } from '../hookline/delivery/records/delivery';
import { MemorySharedValues } from '../hookline/delivery/executor/shared-values';

export interface RunConnectorOptions {
  /** @default a user.registered event of tenant `acme` for ada@example.com */
  event?: UserRegisteredEvent;
  /** The attempt's timeout. @default the plugin's default timeout, else 10000 */
  timeoutMs?: number;
  /** Where relative paths of the config are resolved from. @default process.cwd() */
  baseDir?: string;
}

/** One attempt's outcome, as the delivery record would show it, with what the connector logged. */
export type ConnectorRunResult = {
  durationMs: number;
  logs: Array<{ level: keyof ConnectorLogger; message: string; fields?: Record<string, unknown> }>;
} & (
  | { status: 'succeeded'; detail?: Record<string, unknown> }
  /** `code` and `retryable` are how Hookline classifies the error: retryable ones are tried again. */
  | { status: 'failed'; error: { code: string; message: string; retryable: boolean; status?: number } }
);

/**
 * Validates `config` with the connector's own schema (as a config file entry's fields, without `type`
 * and `name`) and runs one `deliver` with a real HTTP client under the attempt's timeout, as Hookline
 * does. A config the schema refuses throws a TypeError naming each field.
 */
export async function runConnector<TConfig>(plugin: ConnectorPlugin<TConfig>, config: Record<string, unknown>, options: RunConnectorOptions = {}): Promise<ConnectorRunResult> {
  const env: ConfigEnv = { baseDir: options.baseDir ?? process.cwd(), source: 'runConnector config' };
  const schema = typeof plugin.config === 'function' ? plugin.config(env) : plugin.config;
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new TypeError(`runConnector(${plugin.type}): invalid config: ${issues.join('; ')}`);
  }
  const timeoutMs = options.timeoutMs ?? plugin.timeouts?.defaultMs ?? DEFAULT_TIMEOUT_MS;
  const event = options.event ?? createUserRegisteredEvent({ tenant: 'acme', user: { id: 'u1', email: 'ada@example.com' } });
  const logs: ConnectorRunResult['logs'] = [];
  const log = (level: keyof ConnectorLogger) => (message: string, fields?: Record<string, unknown>) => void logs.push({ level, message, ...(fields ? { fields } : {}) });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeliveryTimeoutError(timeoutMs)), timeoutMs);
  const consumerId = `${event.tenant}/${plugin.type}/test`;
  const started = Date.now();
  try {
    const outcome = await Promise.race([
      plugin.deliver(event, parsed.data, {
        signal: controller.signal,
        timeoutMs,
        log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
        http: createHttpClient(controller.signal),
        shared: new MemorySharedValues(),
        delivery: { id: deliveryIdFor(event.id, consumerId), eventId: event.id, tenant: event.tenant, consumerId, attempt: 1 },
      }),
      // A connector that ignores its signal times out all the same.
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
    ]);
    return { status: 'succeeded', durationMs: Date.now() - started, logs, ...(outcome?.detail ? { detail: outcome.detail } : {}) };
  } catch (thrown) {
    const error = classifyError(controller.signal.aborted ? controller.signal.reason : thrown);
    return {
      status: 'failed',
      durationMs: Date.now() - started,
      logs,
      error: { code: error.code, message: messageOf(error), retryable: error.retryable, ...(error instanceof ConnectorRequestError ? { status: error.status } : {}) },
    };
  } finally {
    clearTimeout(timer);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
