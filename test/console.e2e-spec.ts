import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { chromiumOrWarn, HeadlessChromium } from './support/browser';
import { ADMIN_TOKEN, HooklineTestApp } from './support/hookline-test-app';
import { Receiver } from './support/receiver';

const ROOT = resolve(__dirname, '..');
const SECRET = 'whsec_C0nsoleTestS3cretNeverShownAnywhere';
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
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('<meta name="hookline-admin-path" content="/hookline"');
    expect(page.text).toContain('<base href="/hookline/console/"');

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

  it('is not served where the admin API is closed', async () => {
    const closed = await HooklineTestApp.start({ config: { tenants: {} }, admin: {} });
    try {
      await request(closed.app.getHttpServer()).get('/hookline/console').expect(404);
    } finally {
      await closed.close();
    }
  });
});

const describeBrowser = chromiumOrWarn('console (browser)') ? describe : describe.skip;

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
      config: {
        tenants: {
          acme: {
            hooks: [{ name: 'greet', script: join(dir, 'greet.js') }],
            connectors: [{ type: 'webhook', name: 'crm', url: `${acme.url}/hooks`, secret: SECRET }],
          },
          globex: { connectors: [{ type: 'webhook', name: 'crm', url: `${globex.url}/hooks`, secret: SECRET }] },
        },
      },
    });
    await harness.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(harness.app.getHttpServer().address() as AddressInfo).port}`;
    chromium = await HeadlessChromium.launch();
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
});
