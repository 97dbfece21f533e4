import type { ConfigIssue } from './config-issue';

/** Every user-facing message in one place, so they stay consistent and say what to do next. */
export const messages = {
  eventInvalid: (field: string, expected: string, received: unknown) =>
    `Invalid user.registered event: "${field}" must be ${expected}, received ${describe(received)}.`,
  configInvalid: (source: string, issues: ConfigIssue[]) =>
    `Invalid Hookline config in ${source} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
    issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
  eventEmitterMissing: () =>
    'HooklineModule needs the event emitter: add EventEmitterModule.forRoot() (from @nestjs/event-emitter) ' +
    'to the imports of your root module.',
  unknownConnectorType: (type: unknown, known: string[]) =>
    `unknown connector type ${JSON.stringify(type)}; known types: ${known.join(', ') || '(none)'}`,
  missingEnv: (name: string) =>
    `environment variable ${name} is not set (set it, or disable this consumer with enabled: false)`,
  duplicateConsumer: (id: string) => `two consumers share the id "${id}"; give them distinct names`,
  duplicatePlugin: (type: string) => `two connector plugins declare the type "${type}"`,
  optionInvalid: (option: string, expected: string, received: unknown) =>
    `Invalid HooklineModule option ${option}: expected ${expected}, received ${describe(received)}.`,
  transportUnavailable: (where: string, deliveries: number, reason: string) =>
    `Hookline could not enqueue ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}: Redis at ${where} ` +
    `is unavailable (${reason}). Publish the same event again once Redis answers: its deliveries keep their ids, ` +
    'so none is enqueued twice.',
  transportClosed: () => 'Hookline is shutting down and takes no new deliveries.',
  timeoutTooLong: (type: string, maxMs: number) =>
    `expected at most ${maxMs} ms for ${type === 'hook' ? 'a hook' : `a ${type} connector`}`,
};

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
