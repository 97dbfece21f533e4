import { ConfigRegistry } from '../config/config.registry';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { HooklineLogger } from '../core/logging/hookline.logger';
import { Redactor } from '../core/logging/redactor';
import { DEFAULT_RETRY } from '../core/retry/retry.policy';
import { DestinationGuard } from '../delivery/executor/destination-guard';
import type { Transport } from '../delivery/transports/transport';
import { SandboxPool } from '../hooks/host/sandbox.pool';
import { HooklineHealth } from './hookline-health';

describe('HooklineHealth', () => {
  const logger = new HooklineLogger(false, new Redactor());
  const transport: Transport = { name: 'inline', start: async () => undefined, enqueue: async () => undefined, replay: async () => false, close: async () => undefined };
  const health = (config: ConfigRegistry) =>
    new HooklineHealth({ transport, bullmq: null, sandbox: new SandboxPool({ size: 1 }), config, guard: new DestinationGuard(logger), redactor: logger.redactor, failOnTransportDown: false });
  const registry = (deferLoad: boolean) =>
    new ConfigRegistry({ tenants: {} }, { registry: new ConnectorRegistry([]), defaults: { retry: DEFAULT_RETRY, timeoutMs: 1_000 } }, logger, deferLoad);

  it('is down while no config has loaded, and says so', async () => {
    await expect(health(registry(true)).check()).resolves.toEqual({
      status: 'down',
      problems: ['no config has loaded'],
      transport: 'inline',
      config: { loaded: false, lastRejectedAt: null },
      waiting: null,
      openCircuits: null,
    });
  });

  it('is up once one has, with no hook (the sandbox is not reported) and nothing waiting to know of', async () => {
    await expect(health(registry(false)).check()).resolves.toMatchObject({ status: 'up', problems: [], config: { loaded: true }, openCircuits: 0 });
  });
});
