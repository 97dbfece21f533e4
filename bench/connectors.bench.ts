/**
 * `npm run bench:connectors`: the burst (1,000 registrations across 3 tenants, acme and globex
 * sharing one HubSpot token) against the Slack and HubSpot fakes on 127.0.0.1, with and without
 * batching/digest, side by side. Runs the core as the module wires it (config registry, executor with
 * lanes and the in-memory rate limiter, inline transport, dispatcher), without Nest.
 *
 *   npm run bench:connectors [-- --registrations 1000 --only batched|unbatched]
 */
import { BUILTIN_CONNECTORS } from '../connectors';
import { ConfigRegistry } from '../src/hookline/config/config.registry';
import { ConnectorRegistry } from '../src/hookline/connectors/connector.registry';
import type { DeliveryRecord } from '../src/hookline/delivery/records/delivery';
import { DeliveryExecutor } from '../src/hookline/delivery/executor/delivery.executor';
import { MemoryDeliveryLog } from '../src/hookline/delivery/records/delivery-log';
import { DeliveryRecords } from '../src/hookline/delivery/records/delivery-records';
import { Dispatcher } from '../src/hookline/delivery/dispatcher';
import { DEFAULT_RETRY } from '../src/hookline/core/retry/retry.policy';
import { InlineTransport } from '../src/hookline/delivery/transports/inline.transport';
import { createUserRegisteredEvent, USER_REGISTERED } from '../src/hookline/core/events/user-registered.event';
import { HooklineLogger } from '../src/hookline/core/logging/hookline.logger';
import { Redactor } from '../src/hookline/core/logging/redactor';
import { HubSpotFake } from '../test/fakes/hubspot.fake';
import { SlackFake } from '../test/fakes/slack.fake';

const TENANTS = ['acme', 'globex', 'initech'] as const;
const TOKENS = { shared: 'pat-na1-bench-shared-0000-000000000000', own: 'pat-na1-bench-own-1111-111111111111' };

interface Result {
  scenario: string;
  allDeliveredMs: number;
  hubspotDoneMs: number;
  slackDoneMs: number;
  hubspotRequests: number;
  hubspot429: number;
  hubspotMaxPer10s: number;
  slackMessages: number;
  slack429: number;
  failed: number;
}

async function run(scenario: 'batched' | 'unbatched', registrations: number): Promise<Result> {
  const slack = await new SlackFake().start();
  const hubspot = await new HubSpotFake().start();
  hubspot.addToken(TOKENS.shared).addToken(TOKENS.own);
  const batched = scenario === 'batched';
  const tenant = (name: string, token: string) => ({
    connectors: [
      {
        type: 'slack',
        webhookUrl: slack.webhook(`B-${name}`),
        text: '{{ user.email }} joined {{ event.tenant }}',
        ...(batched ? { digest: { maxWaitMs: 1000, maxItems: 50 } } : {}),
      },
      {
        type: 'hubspot',
        accessToken: token,
        baseUrl: hubspot.origin,
        properties: { email: '{{ user.email }}', firstname: '{{ user.user_metadata.firstName }}', company: '{{ event.tenant }}' },
        batch: batched ? { maxItems: 100, maxWaitMs: 500 } : { maxItems: 1, maxWaitMs: 0 },
      },
    ],
  });
  const logger = new HooklineLogger(false, new Redactor());
  const config = new ConfigRegistry(
    { tenants: { acme: tenant('acme', TOKENS.shared), globex: tenant('globex', TOKENS.shared), initech: tenant('initech', TOKENS.own) } },
    { registry: new ConnectorRegistry(BUILTIN_CONNECTORS), defaults: { retry: DEFAULT_RETRY, timeoutMs: 10_000 } },
    logger,
  );
  const log = new MemoryDeliveryLog(registrations * 2 + 100);
  const deliveryRecords = new DeliveryRecords(log);
  const shutdown = new AbortController();
  const executor = new DeliveryExecutor(config, deliveryRecords, logger, shutdown.signal, { concurrency: 16 });
  const transport = new InlineTransport(executor, deliveryRecords, logger);
  await transport.start();
  const dispatcher = new Dispatcher(config, deliveryRecords, transport, logger);

  const started = Date.now();
  await Promise.all(
    Array.from({ length: registrations }, (_, i) => {
      const t = TENANTS[i % TENANTS.length];
      const event = createUserRegisteredEvent({ tenant: t, user: { id: `u${i}`, email: `${t}-${i}@example.com`, user_metadata: { firstName: `F${i}` } } });
      return dispatcher.dispatch(USER_REGISTERED, event);
    }),
  );
  const done = { hubspot: 0, slack: 0 };
  for (;;) {
    const records = all(log);
    const finished = (type: string) => records.filter((r) => r.consumer.includes(`/${type}/`)).every((r) => r.status === 'succeeded' || r.status === 'dead');
    if (!done.hubspot && finished('hubspot')) done.hubspot = Date.now() - started;
    if (!done.slack && finished('slack')) done.slack = Date.now() - started;
    if (done.hubspot && done.slack) break;
    if (Date.now() - started > 20 * 60_000) throw new Error(`${scenario}: not delivered after 20 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const records = all(log);
  const result: Result = {
    scenario: batched ? 'batching + digest' : 'one request per delivery',
    allDeliveredMs: Math.max(done.hubspot, done.slack),
    hubspotDoneMs: done.hubspot,
    slackDoneMs: done.slack,
    hubspotRequests: hubspot.requests.length,
    hubspot429: hubspot.count(429),
    hubspotMaxPer10s: Math.max(hubspot.maxInWindow(TOKENS.shared), hubspot.maxInWindow(TOKENS.own)),
    slackMessages: slack.posted().length,
    slack429: slack.count(429),
    failed: records.filter((r) => r.status !== 'succeeded').length,
  };
  if (hubspot.all().length !== registrations) throw new Error(`${scenario}: ${hubspot.all().length} contacts for ${registrations} registrations`);
  await transport.close(1000);
  shutdown.abort();
  executor.close();
  await slack.close();
  await hubspot.close();
  return result;
}

function all(log: MemoryDeliveryLog): DeliveryRecord[] {
  const out: DeliveryRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = log.list({ limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

function table(results: Result[], registrations: number): string {
  const s = (ms: number) => (ms / 1000).toFixed(1) + ' s';
  const rows: Array<[string, (r: Result) => string]> = [
    ['wall time until all delivered', (r) => s(r.allDeliveredMs)],
    ['  HubSpot deliveries done', (r) => s(r.hubspotDoneMs)],
    ['  Slack deliveries done', (r) => s(r.slackDoneMs)],
    ['HubSpot requests used', (r) => String(r.hubspotRequests)],
    ['HubSpot max requests in any 10 s, per token (limit 100)', (r) => String(r.hubspotMaxPer10s)],
    ['HubSpot 429s', (r) => String(r.hubspot429)],
    ['Slack messages sent', (r) => String(r.slackMessages)],
    ['Slack 429s', (r) => String(r.slack429)],
    ['deliveries not succeeded', (r) => String(r.failed)],
  ];
  return [
    `${registrations} registrations (${registrations * 2} deliveries), 3 tenants, 2 HubSpot tokens, 3 Slack webhooks`,
    '',
    `| | ${results.map((r) => r.scenario).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    ...rows.map(([label, f]) => `| ${label} | ${results.map(f).join(' | ')} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const registrations = Number(args[args.indexOf('--registrations') + 1]) || 1000;
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const scenarios = (['batched', 'unbatched'] as const).filter((s) => !only || s === only);
  const results: Result[] = [];
  for (const scenario of scenarios) {
    process.stderr.write(`running ${scenario}...\n`);
    results.push(await run(scenario, registrations));
  }
  process.stdout.write(table(results, registrations) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
