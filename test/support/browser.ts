import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`): playwright-core drives it, it downloads no browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * True when the browser suites can run. Outside CI a missing Chromium skips them with a line saying
 * how to install it; in CI (`CI=true`) it is an error, so the suite never silently runs nothing.
 */
export function chromiumOrWarn(suite: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  console.warn(`SKIPPED "${suite}": no Chromium at ${CHROMIUM_PATH} (apt-get update && apt-get install -y chromium)`);
  return false;
}

/** A headless Chromium with a fresh profile in a temp directory, removed on close. */
export class HeadlessChromium {
  private constructor(
    readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<HeadlessChromium> {
    const profile = mkdtempSync(join(tmpdir(), 'hookline-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ARGS,
      viewport: { width: 1024, height: 800 },
    });
    return new HeadlessChromium(context, profile);
  }

  get browser(): Browser | null {
    return this.context.browser();
  }

  async close(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      rmSync(this.profile, { recursive: true, force: true });
    }
  }
}
