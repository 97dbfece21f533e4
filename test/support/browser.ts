import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A headless Chromium with a fresh profile in a temp directory, removed on close. */
export class HeadlessChromium {
  private constructor(
    readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  /** `executablePath`: Debian's Chromium (`apt-get install -y chromium`); playwright-core downloads no browser. */
  static async launch(executablePath: string): Promise<HeadlessChromium> {
    const profile = mkdtempSync(join(tmpdir(), 'hookline-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
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
