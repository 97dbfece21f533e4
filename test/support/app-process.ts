import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './redis';

const ROOT = resolve(__dirname, '../..');
const REGISTER = join(ROOT, 'test/support/register-swc.js');
const MAIN = join(ROOT, 'sample/main.ts');

/**
 * The example app (sample/main.ts, or a fixture app printing the same "listening" line) as a real child
 * process, run from source. For tests that need several instances sharing one queue, or one killed.
 */
export class AppProcess {
  private output = '';
  private stdout = '';
  private stderr = '';
  private exited: Promise<Exit>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (chunk) => ((this.output += chunk), (this.stdout += chunk)));
    child.stderr!.on('data', (chunk) => ((this.output += chunk), (this.stderr += chunk)));
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  }

  /** Starts the app with these environment variables (PORT is chosen) and waits until it listens. */
  static async start(name: string, env: Record<string, string>, entry = MAIN, timeoutMs = 60_000): Promise<AppProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--no-node-snapshot', '-r', REGISTER, resolve(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(name, port, child);
    const deadline = Date.now() + timeoutMs;
    while (!app.output.includes('Example app listening')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`app ${name} did not start:\n${app.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return app;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async register(tenant: string, email: string): Promise<{ status: number; id?: string }> {
    const res = await fetch(`${this.baseUrl}/tenants/${tenant}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    const body = (await res.json()) as { id?: string };
    return { status: res.status, id: body.id };
  }

  /**
   * Sends a signal and waits for the exit. A Nest app with shutdown hooks closes, then re-raises the
   * signal: a graceful SIGTERM ends as `{ code: null, signal: 'SIGTERM' }`; past `timeoutMs` it is SIGKILLed.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<Exit> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return { code: this.child.exitCode, signal: this.child.signalCode };
    }
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines the app wrote, for failure messages. */
  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  logs(): string {
    return this.output;
  }

  /** What the app wrote to one of its streams alone (each line whole, unlike {@link logs}, which interleaves them). */
  stream(name: 'stdout' | 'stderr'): string {
    return name === 'stdout' ? this.stdout : this.stderr;
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A config file in a fresh temp directory (JSON is valid YAML); removed by the returned function. */
export function writeConfigFile(config: unknown): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-config-'));
  const path = join(dir, 'hookline.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `task` over `items` with at most `parallel` at once. */
export async function inParallel<T>(items: readonly T[], parallel: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: parallel }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  });
  await Promise.all(lanes);
}
