import { join } from 'node:path';
import { BUILTIN_CONNECTORS } from '../../connectors';
import { loadConfigFile } from '../../src/hookline/config/config.loader';
import { ConnectorRegistry } from '../../src/hookline/connectors/connector.registry';
import { DEFAULT_RETRY } from '../../src/hookline/dispatch/retry.policy';

describe('examples/hookline.yaml', () => {
  const load = (env: NodeJS.ProcessEnv) =>
    loadConfigFile(join(__dirname, '../../examples/hookline.yaml'), {
      registry: new ConnectorRegistry(BUILTIN_CONNECTORS),
      defaults: { retry: DEFAULT_RETRY, timeoutMs: 10_000 },
      env,
    });

  it('loads with no outside service configured: the Slack and HubSpot entries are disabled', () => {
    const config = load({});
    expect(config.consumers.size).toBe(0);
  });

  it('validates once their variables are set (the entries are ready to enable)', () => {
    const config = load({
      ACME_WEBHOOK_URL: 'http://127.0.0.1:4000/hooks',
      ACME_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      ACME_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
      ACME_HUBSPOT_TOKEN: 'pat-na1-00000000-0000-0000-0000-000000000000',
    });
    expect(config.disabled).toEqual(['acme/webhook/crm-sync', 'acme/slack/signups', 'acme/hubspot/contacts']);
  });
});
