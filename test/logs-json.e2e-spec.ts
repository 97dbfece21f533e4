import { AppProcess, writeConfigFile } from './support/app-process';
import { Receiver } from './support/receiver';
import { WEBHOOK_SECRET } from './support/webhook-fixtures';

const HOOK_TOKEN = 'tok_json_logs_9f3a1c';

/** A hook that calls the receiver with its secret, then fails with the secret in its error. */
const HOOK = `module.exports = function (user, context, cb) {
  console.log('calling with', context.secrets.TOKEN);
  fetch(context.secrets.RECEIVER + '/hook', { method: 'POST', headers: { authorization: 'Bearer ' + context.secrets.TOKEN } })
    .then(() => cb(new Error('receiver refused ' + context.secrets.TOKEN)), cb);
};`;

interface JsonLine {
  level: string;
  message: unknown;
  context?: string;
  [field: string]: unknown;
}

/** Every line of a stream, parsed: fails naming the first line that is not one JSON object. */
function parseLines(text: string): JsonLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as JsonLine;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

describe('the example app with HOOKLINE_LOG_FORMAT=json', () => {
  jest.setTimeout(120_000);

  it('prints one JSON object per line, Nest\'s and Hookline\'s, with every field and no secret', async () => {
    const receiver = await Receiver.start();
    const config = writeConfigFile({
      tenants: {
        acme: {
          hooks: [{ name: 'notify', source: HOOK, secrets: { TOKEN: '${env:HOOK_TOKEN}', RECEIVER: receiver.url }, allowHosts: [`127.0.0.1:${new URL(receiver.url).port}`] }],
          connectors: [{ type: 'webhook', name: 'crm', url: `${receiver.url}/webhook`, secret: '${env:WEBHOOK_SECRET}' }],
        },
      },
    });
    const app = await AppProcess.start('json-logs', { HOOKLINE_CONFIG: config.path, HOOKLINE_LOG_FORMAT: 'json', LOG_LEVEL: 'debug', HOOK_TOKEN, WEBHOOK_SECRET });
    try {
      expect((await app.register('acme', 'ada@example.com')).status).toBe(201);
      await receiver.until(() => receiver.requests.length >= 2, 30_000, 'the hook and the webhook');
      const hookline = () => parseLines(app.stream('stdout')).concat(parseLines(app.stream('stderr'))).filter((l) => l.context === 'Hookline');
      const deadline = Date.now() + 30_000;
      while (!hookline().some((l) => (l.message as { msg?: string }).msg === 'delivery dead')) {
        if (Date.now() > deadline) throw new Error(`no "delivery dead" line:\n${app.tail()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await app.stop();

      const out = parseLines(app.stream('stdout'));
      const err = parseLines(app.stream('stderr'));
      const all = [...out, ...err];
      for (const line of all) expect(line).toEqual(expect.objectContaining({ level: expect.any(String), pid: app.pid, timestamp: expect.any(Number) }));
      // Nest's own lines, and the example app's.
      expect(out).toContainEqual(expect.objectContaining({ context: 'NestApplication', message: 'Nest application successfully started' }));
      expect(out).toContainEqual(expect.objectContaining({ context: 'Main', message: expect.stringMatching(/^Example app listening/) }));
      // Hookline's: the message is an object holding `msg` and every field.
      const messages = all.filter((l) => l.context === 'Hookline').map((l) => ({ level: l.level, ...(l.message as Record<string, unknown>) }));
      expect(messages).toContainEqual(expect.objectContaining({ msg: 'Hookline ready', transport: 'inline', tenants: 1, consumers: 2 }));
      expect(messages).toContainEqual({
        level: 'debug',
        msg: 'delivery succeeded',
        tenant: 'acme',
        consumerId: 'acme/webhook/crm',
        eventId: expect.any(String),
        deliveryId: expect.stringMatching(/^dlv_/),
        attempt: 1,
        outcome: 'succeeded',
        durationMs: expect.any(Number),
      });
      expect(messages).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'delivery dead',
          tenant: 'acme',
          consumerId: 'acme/hook/notify',
          attempt: 1,
          outcome: 'dead',
          durationMs: expect.any(Number),
          error: 'HOOK_FAILED: Error: receiver refused [REDACTED]',
        }),
      );
      // The hook did send its token; no line carries it, nor the webhook's signing secret.
      expect(receiver.requests.find((r) => r.path === '/hook')?.headers.authorization).toBe(`Bearer ${HOOK_TOKEN}`);
      const text = app.logs();
      expect(text).not.toContain(HOOK_TOKEN);
      expect(text).not.toContain(WEBHOOK_SECRET);
      expect(text).not.toContain(WEBHOOK_SECRET.slice('whsec_'.length));
    } finally {
      await app.stop();
      await receiver.close();
      config.remove();
    }
  });

  it('refuses another format, naming the variable', async () => {
    await expect(AppProcess.start('bad-format', { HOOKLINE_LOG_FORMAT: 'yaml' }, undefined, 30_000)).rejects.toThrow(/HOOKLINE_LOG_FORMAT must be "text" or "json", received "yaml"/);
  });
});
