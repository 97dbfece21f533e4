/**
 * The six deliveries of the delivery benchmark's tenant `acme`, written by hand with the same clients
 * Hookline uses and nothing else: what a sign-up's deliveries cost at the least, to read Hookline's figure
 * against on the same machine (see docs/benchmarks.md, "By hand"). Read from the benchmark's own config file:
 *  - signed webhooks: the event serialised once (Hookline's envelope), Standard Webhooks' HMAC with node:crypto,
 *    one undici request each on a keep-alive pool;
 *  - the hook: one child process with one isolated-vm isolate (./hook-worker.ts), over Node's IPC;
 *  - Slack: one line per sign-up (a template literal), sent with @slack/webhook as a digest of up to
 *    `maxItems` lines once the oldest waited `maxWaitMs`, at most one message a second;
 *  - HubSpot: contacts upserted with @hubspot/api-client's batch API, up to `maxItems` per request once the
 *    oldest waited `maxWaitMs`.
 * No records, no retries, no rate limiter, no circuit, no timeouts beyond the clients', no logs: a floor, not
 * an alternative.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@hubspot/api-client';
import { IncomingWebhook } from '@slack/webhook';
import { Agent, request } from 'undici';
import type { UserRegisteredEvent } from 'hookline';

interface BenchConfig {
  tenants: {
    acme: {
      hooks: Array<{ script: string }>;
      connectors: Array<Record<string, unknown> & { type: string }>;
    };
  };
}

interface Batch<T> {
  items: T[];
  timer?: NodeJS.Timeout;
}

export class ByHandDeliveries {
  // As Hookline's HTTP client: one keep-alive pool per origin, idle sockets kept 10 s.
  private readonly agent = new Agent({ keepAliveTimeout: 10_000 });
  private readonly webhooks: Array<{ url: string; key: Buffer; headers: Record<string, string> }> = [];
  private hook?: ChildProcess;
  private hookSeq = 0;
  private slack?: { webhook: IncomingWebhook; maxItems: number; maxWaitMs: number; batch: Batch<string>; lastSentAt: number };
  private hubspot?: { client: Client; maxItems: number; maxWaitMs: number; batch: Batch<{ id: string; idProperty: string; properties: Record<string, string> }> };

  constructor(file: string) {
    const config = JSON.parse(readFileSync(file, 'utf8')) as BenchConfig;
    const acme = config.tenants.acme;
    for (const c of acme.connectors) {
      if (c.type === 'webhook') {
        const secret = String(c.secret).replace(/^whsec_/, '');
        this.webhooks.push({ url: String(c.url), key: Buffer.from(secret, 'base64'), headers: (c.headers ?? {}) as Record<string, string> });
      } else if (c.type === 'slack') {
        const digest = c.digest as { maxItems: number; maxWaitMs: number };
        this.slack = { webhook: new IncomingWebhook(String(c.webhookUrl)), ...digest, batch: { items: [] }, lastSentAt: 0 };
      } else if (c.type === 'hubspot') {
        const batch = c.batch as { maxItems: number; maxWaitMs: number };
        this.hubspot = {
          client: new Client({ accessToken: String(c.accessToken), basePath: String(c.baseUrl), numberOfApiCallRetries: 0 }),
          ...batch,
          batch: { items: [] },
        };
      }
    }
    const script = acme.hooks[0]?.script;
    if (script) {
      // Its answers ({ id, ok }) are read and dropped: nothing retries a hook here.
      this.hook = fork(join(__dirname, 'hook-worker.js'), [join(dirname(file), script)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--no-node-snapshot'] });
      this.hook.on('message', ignore);
      // A worker gone: sends fail quietly (a floor has no recovery to measure).
      this.hook.on('error', ignore);
    }
  }

  /** Fire and forget: nothing here reaches the request that emitted the event. */
  deliver(event: UserRegisteredEvent): void {
    if (event.tenant !== 'acme') return;
    // The envelope Hookline's webhook connector sends.
    const body = JSON.stringify({ type: 'user.registered', timestamp: event.occurredAt, data: event });
    const timestamp = Math.floor(Date.now() / 1000);
    this.webhooks.forEach((webhook, i) => {
      const id = `msg_${event.id}_${i}`;
      const signature = createHmac('sha256', webhook.key).update(`${id}.${timestamp}.${body}`).digest('base64');
      request(webhook.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { ...webhook.headers, 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` },
        body,
      }).then((res) => res.body.dump()).catch(ignore);
    });
    if (this.hook) {
      const id = ++this.hookSeq;
      this.hook.send({ id, user: event.user, context: { connection: event.context.connection, webtask: { secrets: {} } } });
    }
    const user = event.user;
    if (this.slack) this.add(this.slack.batch, `New user: ${user.username ?? user.email} (${user.email})`, this.slack, () => this.sendSlack());
    if (this.hubspot) {
      const meta = (user.user_metadata ?? {}) as { firstName?: string };
      const email = user.email ?? '';
      const properties = { email, phone: String(user.phoneNumber ?? ''), firstname: meta.firstName ?? '' };
      this.add(this.hubspot.batch, { id: email, idProperty: 'email', properties }, this.hubspot, () => this.sendHubSpot());
    }
  }

  /** Queues an item: the batch goes once it holds `maxItems`, or once its oldest waited `maxWaitMs`. */
  private add<T>(batch: Batch<T>, item: T, settings: { maxItems: number; maxWaitMs: number }, send: () => void): void {
    if (batch.items.push(item) >= settings.maxItems) {
      clearTimeout(batch.timer);
      batch.timer = undefined;
      send();
    } else if (!batch.timer) {
      batch.timer = setTimeout(send, settings.maxWaitMs);
    }
  }

  /** Takes the next batch; what is left waits its turn again. */
  private take<T>(batch: Batch<T>, settings: { maxItems: number; maxWaitMs: number }, send: () => void): T[] {
    clearTimeout(batch.timer);
    batch.timer = undefined;
    const taken = batch.items.splice(0, settings.maxItems);
    if (batch.items.length) batch.timer = setTimeout(send, batch.items.length >= settings.maxItems ? 0 : settings.maxWaitMs);
    return taken;
  }

  private sendSlack(): void {
    const slack = this.slack!;
    const wait = slack.lastSentAt + 1000 - Date.now();
    if (wait > 0) {
      clearTimeout(slack.batch.timer);
      slack.batch.timer = setTimeout(() => this.sendSlack(), wait);
      return;
    }
    slack.lastSentAt = Date.now();
    const lines = this.take(slack.batch, slack, () => this.sendSlack());
    if (lines.length === 0) return;
    slack.webhook.send({ text: lines.join('\n') }).catch(ignore);
  }

  private sendHubSpot(): void {
    const hubspot = this.hubspot!;
    const inputs = this.take(hubspot.batch, hubspot, () => this.sendHubSpot());
    if (inputs.length === 0) return;
    hubspot.client.crm.objects.batchApi.upsert('contacts', { inputs }).catch(ignore);
  }

  close(): void {
    for (const batch of [this.slack?.batch, this.hubspot?.batch]) clearTimeout(batch?.timer);
    this.hook?.kill();
    void this.agent.close();
  }
}

function ignore(): void {}
