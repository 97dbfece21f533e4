import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { compileFunction } from 'node:vm';
import { SANDBOX_LIMITS } from './sandbox.limits';
import type { HookScript } from './sandbox.types';

/** A hook script that cannot be used: unreadable, too large, or not valid JavaScript. */
export class HookScriptError extends Error {
  override readonly name = 'HookScriptError';
}

/**
 * Reads a script and checks its syntax without running it (node:vm only parses here: no code of the
 * script executes in the app). The message names the file and the line.
 */
export function readHookScript(path: string, displayName = path): HookScript {
  let source: string;
  try {
    if (statSync(path).size > SANDBOX_LIMITS.maxScriptBytes) {
      throw new HookScriptError(`${displayName} is larger than ${SANDBOX_LIMITS.maxScriptBytes} bytes`);
    }
    source = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof HookScriptError) throw error;
    throw new HookScriptError(`cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  checkSyntax(source, displayName);
  return { filename: displayName, source, hash: createHash('sha256').update(source).digest('hex') };
}

/** Compiles the script as a CommonJS function body (never runs it): a stray `}` cannot close the wrapper. */
export function checkSyntax(source: string, filename: string): void {
  try {
    compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  } catch (error) {
    const line = Number(/:(\d+)\s*$/m.exec(String((error as Error).stack).split('\n')[0])?.[1]);
    const where = !line ? '' : line > source.split('\n').length ? ' at the end of the file' : ` line ${line}`;
    throw new HookScriptError(`${filename}${where}: ${(error as Error).name}: ${(error as Error).message}`);
  }
}

/** A script on disk, re-read (and re-checked) when its modification time changes. */
export class HookScriptFile {
  /** The file's modification time is looked at most this often (a stat per delivery adds up). */
  static checkEveryMs = 1_000;
  private mtimeMs: number;
  private checkedAt = Date.now();
  private script: HookScript;

  constructor(
    readonly path: string,
    readonly displayName: string,
  ) {
    this.mtimeMs = statMtime(path);
    this.script = readHookScript(path, displayName);
  }

  /** The current version. Throws HookScriptError when the file changed into something unusable. */
  current(): HookScript {
    const now = Date.now();
    if (now - this.checkedAt < HookScriptFile.checkEveryMs) return this.script;
    this.checkedAt = now;
    const mtimeMs = statMtime(this.path);
    if (mtimeMs !== this.mtimeMs) {
      this.script = readHookScript(this.path, this.displayName);
      this.mtimeMs = mtimeMs;
    }
    return this.script;
  }
}

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
