import { join } from 'node:path';
import { BUILTIN_CONNECTORS } from '../../connectors';
import { loadConfigFile } from '../../src/hookline/config/config.loader';
import { ConnectorRegistry } from '../../src/hookline/connectors/connector.registry';
import { DEFAULT_RETRY } from '../../src/hookline/core/retry/retry.policy';
import { createHookPlugin } from '../../src/hookline/hooks/hook.plugin';
import { SandboxPool } from '../../src/hookline/hooks/host/sandbox.pool';

describe('examples/hookline.yaml', () => {
  // Loading compiles the hook scripts but runs none: the pool starts no worker.
  const sandbox = new SandboxPool({ size: 1 });
  afterAll(() => sandbox.close());
  const load = (env: NodeJS.ProcessEnv) =>
    loadConfigFile(join(__dirname, '../../examples/hookline.yaml'), {
      registry: new ConnectorRegistry([...BUILTIN_CONNECTORS, createHookPlugin(sandbox)]),
      defaults: { retry: DEFAULT_RETRY, timeoutMs: 10_000 },
      env,
    });

  it('loads with no outside service configured: only the two local hooks are enabled', () => {
    const config = load({});
    expect([...config.consumers.keys()]).toEqual(['acme/hook/log-new-user', 'acme/hook/count-signups']);
    expect(config.disabled).toEqual(['acme/hook/notify-slack', 'acme/webhook/crm-sync', 'acme/slack/signups', 'acme/hubspot/contacts']);
  });

  it('validates once their variables are set (the entries are ready to enable)', () => {
    const config = load({
      ACME_WEBHOOK_URL: 'http://127.0.0.1:4000/hooks',
      ACME_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      ACME_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
      ACME_HUBSPOT_TOKEN: 'pat-na1-00000000-0000-0000-0000-000000000000',
    });
    expect(config.disabled).toEqual(['acme/hook/notify-slack', 'acme/webhook/crm-sync', 'acme/slack/signups', 'acme/hubspot/contacts']);
  });
});
