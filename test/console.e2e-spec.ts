import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { HeadlessChromium } from './support/browser';
import { chromiumPathOrSkip } from './support/services';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';

const ROOT = resolve(__dirname, '..');
const SECRET = 'whsec_C0nsoleTestS3cretNeverShownAnywhere';
const SCOPED_TOKEN = 'scoped-globex-token';
/** Set to a folder (docs/console) to refresh the README's screenshots. */
const SCREENSHOTS = process.env.HOOKLINE_CONSOLE_SCREENSHOTS;

const GREET_HOOK = `module.exports = function (user, context, cb) {
  console.log('greeting ' + user.email);
  cb();
};
`;

/** Waits until the locator shows `text`; on timeout, fails with what it showed instead. */
async function contains(locator: Locator, text: string | RegExp, options: { timeout?: number } = {}): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: options.timeout ?? 15_000 });
  } catch {
    const shown = await locator.allInnerTexts().catch(() => []);
    throw new Error(`expected ${locator} to show ${String(text)}; it shows ${JSON.stringify(shown)}`);
  }
}

async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ timeout: 15_000 });
}

jest.setTimeout(90_000);

function buildConsole(): void {
  execFileSync(process.execPath, [join(ROOT, 'console/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

describe('console (served files)', () => {
  let harness: HooklineTestApp;
  beforeAll(async () => {
    buildConsole();
    harness = await HooklineTestApp.start({ config: { tenants: {} } });
  }, 60_000);
  afterAll(() => harness?.close());

  it('serves the page with its paths, gzipped assets under a budget, and a strict CSP, without auth', async () => {
    const server = harness.app.getHttpServer();
    const page = await request(server).get('/hookline/console').set('accept-encoding', 'identity').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['cache-control']).toBe('no-cache');
    // Every URL is relative to <path>/console: the page follows a custom path or a prefix as it is.
    expect(page.text).toContain('<script defer src="console/app.js">');
    expect(page.text).not.toContain('/hookline');

    let transferred = Buffer.byteLength(page.text);
    for (const file of ['app.js', 'app.css']) {
      const res = await request(server).get(`/hookline/console/${file}`).set('accept-encoding', 'gzip, br').expect(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      transferred += Number(res.headers['content-length']);
      await request(server).get(`/hookline/console/${file}`).set('if-none-match', res.headers.etag).expect(304);
    }
    // The whole console, as sent: a budget that fails loudly if a dependency balloons it.
    expect(transferred).toBeLessThan(40 * 1024);
    await request(server).get('/hookline/console/index.html.gz').expect(404);
    await request(server).get('/hookline/console/..%2Fpackage.json').expect(404);
  });

  it('is not served unless the host mounts the admin module', async () => {
    const closed = await HooklineTestApp.start({ config: { tenants: {} }, admin: false });
    try {
      await request(closed.app.getHttpServer()).get('/hookline/console').expect(404);
    } finally {
      await closed.close();
    }
  });

  it('closes while a client holds a connection it never sent a request on (a browser preconnects one)', async () => {
    // Chromium opens a spare connection to an origin it loads from and may leave it unused. Node counts a
    // connection without a request as active, so server.close() waits for the client to drop it: without
    // the harness closing open connections, app.close() hung until the shared browser let it go.
    const app = await HooklineTestApp.start({ config: { tenants: {} } });
    await app.app.listen(0, '127.0.0.1');
    const server = app.app.getHttpServer() as Server;
    const accepted = new Promise((resolve) => server.once('connection', resolve));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    client.on('error', () => undefined);
    const dropped = new Promise((resolve) => client.once('close', resolve));
    let closing: Promise<void> | undefined;
    try {
      await accepted;
      closing = app.close();
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        closing.then(() => 'closed'),
        new Promise((resolve) => (timer = setTimeout(resolve, 5_000, 'still open after 5 s'))),
      ]);
      clearTimeout(timer);
      expect(closed).toBe('closed');
      await dropped;
    } finally {
      client.destroy();
      await (closing ?? app.close());
    }
  });
});

const chromiumPath = chromiumPathOrSkip('console (browser)');
const describeBrowser = chromiumPath ? describe : describe.skip;

describeBrowser('console (browser)', () => {
  let acme: Receiver;
  let globex: Receiver;
  let harness: HooklineTestApp;
  let chromium: HeadlessChromium;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    buildConsole();
    dir = mkdtempSync(join(tmpdir(), 'hookline-console-'));
    writeFileSync(join(dir, 'greet.js'), GREET_HOOK);
    [acme, globex] = await Promise.all([Receiver.start(), Receiver.start()]);
    harness = await HooklineTestApp.start({
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
      admin: { tokens: [ADMIN_TOKEN, { token: SCOPED_TOKEN, tenants: ['globex'] }] },
      config: {
        tenants: {
          acme: {
            hooks: [{ name: 'greet', script: join(dir, 'greet.js') }],
            connectors: [{ type: 'webhook', name: 'crm', url: `${acme.url}/hooks/${SECRET}`, secret: SECRET }],
          },
          globex: { connectors: [{ type: 'webhook', name: 'crm', url: `${globex.url}/hooks`, secret: SECRET }] },
        },
      },
    });
    await harness.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(harness.app.getHttpServer().address() as AddressInfo).port}`;
    chromium = await HeadlessChromium.launch(chromiumPath!);
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await harness?.close();
    await Promise.all([acme?.close(), globex?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function openConsole(): Promise<Page> {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/hookline/console`);
    return page;
  }

  async function signIn(token = ADMIN_TOKEN): Promise<Page> {
    const page = await openConsole();
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('button', { name: 'Sign out' }));
    return page;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }


  it('refuses a wrong token with a clear message, and says when the API is down', async () => {
    const page = await openConsole();
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await contains(page.getByRole('alert'), 'Token refused');
    await screenshot(page, 'sign-in-refused');

    await page.route('**/hookline/access', (route) => route.abort('connectionrefused'));
    await page.route('**/hookline/consumers*', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await contains(page.getByRole('alert'), 'not reachable');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  it('signs in, shows the deliveries of a registered user, and opens one', async () => {
    await harness.register('acme', { email: 'ada@example.com' }).expect(201);
    await harness.waitForDeliveries((all) => all.some((d) => d.consumer === 'acme/webhook/crm' && d.status === 'succeeded'));
    const page = await chromium.context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${base}/hookline/console`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Deliveries' }).click();
    const row = page.locator('table.deliveries tbody tr', { hasText: 'acme/webhook/crm' }).first();
    await visible(row);
    await contains(row, 'succeeded');
    await screenshot(page, 'deliveries');

    await row.getByRole('link').click();
    await visible(page.getByRole('heading', { name: /^Delivery dlv_/ }));
    await contains(page.locator('dl.summary'), 'acme/webhook/crm');
    await visible(page.getByRole('heading', { name: 'Attempts' }));
    await screenshot(page, 'delivery-detail');
    // Nothing from a CDN or any other host; the token never in a URL.
    expect(requested.filter((url) => !url.startsWith(`${base}/hookline/`))).toEqual([]);
    expect(requested.filter((url) => url.includes(ADMIN_TOKEN))).toEqual([]);

    // Sign out forgets the token: a reload asks for it again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByLabel('Admin token'));
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await visible(page.getByLabel('Admin token'));
    await page.close();
  });

  it('replays a dead delivery once its receiver is fixed', async () => {
    acme.fallback = { status: 500, body: 'down' };
    await harness.register('acme', { email: 'dead@example.com' }).expect(201);
    const items = await harness.waitForDeliveries((all) => all.some((d) => d.consumer === 'acme/webhook/crm' && d.status === 'dead'));
    const dead = items.find((d) => d.consumer === 'acme/webhook/crm' && d.status === 'dead')!;
    acme.fallback = { status: 200, body: 'ok' };

    const page = await signIn();
    await page.goto(`${base}/hookline/console#/deliveries?status=dead`);
    const row = page.locator(`tr[data-id="${dead.id}"]`);
    await contains(row, 'dead');
    await row.getByRole('link').click();
    await contains(page.locator('pre.error-text'), '500');
    await page.getByRole('button', { name: 'Replay' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Replayed' }));
    await contains(page.locator('dl.summary'), 'succeeded', { timeout: 15_000 });
    expect((await harness.hookline.getDelivery(dead.id))?.status).toBe('succeeded');
    await page.close();
  });

  it('replays exactly the dead deliveries matching the filters, after a confirmation with their count', async () => {
    acme.fallback = { status: 500, body: 'down' };
    globex.fallback = { status: 500, body: 'down' };
    const before = new Set((await harness.hookline.listDeliveries({ limit: 500 })).items.map((d) => d.id));
    await harness.register('globex', { email: 'g1@example.com' }).expect(201);
    await harness.register('globex', { email: 'g2@example.com' }).expect(201);
    await harness.register('acme', { email: 'a-dead@example.com' }).expect(201);
    const fresh = (all: Awaited<ReturnType<HooklineTestApp['waitForDeliveries']>>) =>
      all.filter((d) => !before.has(d.id) && d.kind === 'connector');
    await harness.waitForDeliveries((all) => fresh(all).length === 3 && fresh(all).every((d) => d.status === 'dead'));
    acme.fallback = { status: 200, body: 'ok' };
    globex.fallback = { status: 200, body: 'ok' };

    const page = await signIn();
    await page.goto(`${base}/hookline/console#/deliveries?tenant=globex&status=dead`);
    await contains(page.locator('table.deliveries tbody'), 'globex/webhook/crm');
    await page.getByRole('button', { name: 'Replay dead deliveries…' }).click();
    const dialog = page.getByRole('dialog');
    await contains(dialog, '2 dead deliveries match');
    await screenshot(page, 'bulk-replay');
    await dialog.getByRole('button', { name: 'Replay 2' }).click();
    await visible(page.getByRole('status').filter({ hasText: '2 dead deliveries re-queued' }));

    const after = await harness.waitForDeliveries((all) => fresh(all).filter((d) => d.tenant === 'globex').every((d) => d.status === 'succeeded'));
    const acmeDead = fresh(after).find((d) => d.tenant === 'acme')!;
    expect(acmeDead.status).toBe('dead');
    expect(acmeDead.attempts).toBe(2);
    await page.close();
  });

  it('follows a hash change made while its view mounts (a link followed right after signing in)', async () => {
    const page = await openConsole();
    // The hash moves before the router listens for changes: as when a test or a user goes somewhere while
    // the signed-in view is still mounting. No hashchange reaches the router; it must read the hash again.
    await page.evaluate(() => {
      const add = window.addEventListener.bind(window);
      let moved = false;
      window.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) => {
        if (type === 'hashchange' && !moved) {
          moved = true;
          history.replaceState(null, '', '#/deliveries?status=dead');
        }
        add(type, listener, options);
      }) as typeof window.addEventListener;
    });
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('heading', { name: 'Deliveries' }));
    expect(page.url()).toContain('#/deliveries?status=dead');
    await page.close();
  });

  it('shows a scoped token its tenants only', async () => {
    const page = await signIn(SCOPED_TOKEN);
    await contains(page.locator('header'), 'tenants: globex');
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await contains(page.locator('table.deliveries tbody'), 'globex');
    expect(await page.locator('select[name="tenant"] option').allInnerTexts()).toEqual(['All my tenants', 'globex']);
    const tenants = await page.locator('table.deliveries tbody tr td:nth-child(2)').allInnerTexts();
    expect([...new Set(tenants)]).toEqual(['globex']);

    await page.getByRole('link', { name: 'Consumers' }).click();
    await contains(page.locator('table.consumers'), 'crm');
    expect(await page.locator('table.consumers tbody tr').count()).toBe(1);

    const acmeDelivery = (await harness.hookline.listDeliveries({ tenant: 'acme', limit: 1 })).items[0];
    await page.goto(`${base}/hookline/console#/deliveries/${acmeDelivery.id}`);
    await contains(page.getByRole('alert'), 'no delivery');
    await page.close();

    // The API itself answers a scoped token as if other tenants did not exist.
    const server = harness.app.getHttpServer();
    const scoped = (path: string) => request(server).get(path).set('authorization', `Bearer ${SCOPED_TOKEN}`);
    await scoped('/hookline/deliveries?tenant=acme').expect(404);
    await scoped(`/hookline/deliveries/${acmeDelivery.id}`).expect(404);
    const listed = await scoped('/hookline/deliveries?limit=500').expect(200);
    expect(new Set(listed.body.items.map((d: { tenant: string }) => d.tenant))).toEqual(new Set(['globex']));
    const access = await scoped('/hookline/access').expect(200);
    expect(access.body).toMatchObject({ tenants: ['globex'], knownTenants: ['globex'] });
    expect(JSON.stringify(access.body)).not.toContain(SCOPED_TOKEN);
  });

  it('lists consumers with their type and last success, and sends a test event', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Consumers' }).click();
    const row = page.locator('tr[data-id="acme/webhook/crm"]');
    await contains(row, 'webhook');
    await visible(row.locator('td:nth-child(5) time'));
    await contains(page.locator('tr[data-id="acme/hook/greet"]'), 'hook');
    const received = acme.requests.length;
    await row.getByRole('button', { name: /Send test event/ }).click();
    await contains(row.getByRole('status'), 'Test event succeeded');
    expect(acme.requests.length).toBe(received + 1);
    expect(JSON.parse(acme.requests.at(-1)!.body).data?.email ?? acme.requests.at(-1)!.body).toContain('test@example.com');
    await screenshot(page, 'consumers');
    await page.close();
  });

  it('runs a pasted hook in the Runner: its log line and its refused fetch; a syntax error shows its line first', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Runner' }).click();
    await page.waitForFunction(() => (document.querySelector('#runner-event') as HTMLTextAreaElement | null)?.value.includes('user1@foo.com'));

    const script = page.getByLabel(/^Script/);
    await script.fill('module.exports = function (user, context, cb) {\n  const x = ;\n};\n');
    await contains(page.locator('#runner-problems'), /Line 2/);

    await script.fill(`module.exports = function (user, context, cb) {
  console.log('runner greets ' + user.email);
  fetch('https://blocked.example/collect').then(
    () => cb(),
    (error) => {
      console.log('fetch refused: ' + error.message);
      cb(null, { notified: false });
    },
  );
};
`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const result = page.locator('.run-result');
    await contains(result.locator('h2'), 'ok');
    await contains(result.locator('.logs'), 'runner greets user1@foo.com');
    // The sandbox refuses a host outside allowHosts (a pasted script has none); the hook logs the refusal.
    await contains(result.locator('.logs'), 'blocked.example:443 is not in allowHosts');
    // The outbound requests, the refused one with why.
    const refused = result.locator('table.requests tbody tr.refused');
    await contains(refused, 'https://blocked.example/collect');
    await contains(refused, 'refused: fetch: host blocked.example:443 is not in allowHosts');
    await screenshot(page, 'runner');
    await page.close();
  });

  it('works at a custom admin path under a global prefix: the page finds its API relative to itself', async () => {
    const custom = await HooklineTestApp.start({ admin: { path: 'ops/admin', tokens: [ADMIN_TOKEN] }, config: { tenants: { acme: {} } } }, { prefix: 'api' });
    try {
      await custom.app.listen(0, '127.0.0.1');
      const origin = `http://127.0.0.1:${(custom.app.getHttpServer() as { address(): AddressInfo }).address().port}`;
      const page = await chromium.context.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await page.goto(`${origin}/api/ops/admin/console/`);
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await visible(page.getByRole('button', { name: 'Sign out' }));
      expect(new URL(page.url()).pathname).toBe('/api/ops/admin/console');
      expect(requested).toEqual(expect.arrayContaining(['/api/ops/admin/console/app.js', '/api/ops/admin/access']));
      expect(requested.filter((p) => p.startsWith('/hookline'))).toEqual([]);
      await page.close();
    } finally {
      await custom.close();
    }
  });

  it('shows the last hour by outcome and the backlog', async () => {
    const page = await signIn();
    await page.getByRole('link', { name: 'Overview' }).click();
    await visible(page.getByRole('img', { name: /Deliveries per minute over the last hour/ }));
    await visible(page.getByTestId('backlog'));
    const label = await page.getByRole('img').getAttribute('aria-label');
    expect(label).toMatch(/[1-9]\d* succeeded/);
    await screenshot(page, 'overview');
    await page.close();
  });

  it('never shows a config secret: not in the page, not in any API answer it read', async () => {
    await harness.register('acme', { email: 'secrets@example.com' }).expect(201);
    await harness.waitForDeliveries((all) => all.some((d) => d.consumer === 'acme/webhook/crm' && d.status !== 'pending'));
    const bodies: string[] = [];
    const page = await chromium.context.newPage();
    page.on('response', (res) => void res.text().then((text) => bodies.push(text), () => undefined));
    await page.goto(`${base}/hookline/console`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const html: string[] = [];
    for (const view of ['overview', 'deliveries', 'consumers', 'runner']) {
      await page.getByRole('link', { name: view[0].toUpperCase() + view.slice(1) }).click();
      await page.waitForLoadState('networkidle');
      html.push(await page.content());
    }
    await page.goto(`${base}/hookline/console#/deliveries?tenant=acme`);
    await page.locator('table.deliveries tbody a').first().click();
    await visible(page.getByRole('heading', { name: 'Attempts' }));
    await page.waitForLoadState('networkidle');
    html.push(await page.content());
    const everything = [...html, ...bodies].join('\n');
    expect(bodies.length).toBeGreaterThan(5);
    expect(everything).toContain('acme/webhook/crm');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(SECRET.slice(6));
    expect(everything).not.toContain(ADMIN_TOKEN);
    await page.close();
  });
});
