import { HOOK_STORAGE_LIMITS, type HookStorage, type HookStorageKey } from './hook-storage';

/** One invocation's view of its storage: the version it last read or wrote (`undefined`: neither yet). */
export interface StorageSession {
  version?: string | null;
}

/** What a hook's context asks for, as the sandbox worker passes it on (untrusted: checked here). */
type StorageRequest = { op: 'get' } | { op: 'set'; data: string; force: boolean };

/** The answer, as JSON text for the hook's context: `{ data }` (JSON text or null), `{ ok }`, or an error. */
export type StorageOutcome = { data: string | null } | { ok: true } | { error: string; code: number | string };

export function storageConflict(): StorageOutcome {
  return {
    error: 'storage.set: conflict: another run of this hook wrote its storage since this run read it; storage.get it again and retry, or set with { force: 1 }',
    code: 409,
  };
}

export function storageTooLarge(bytes: number): StorageOutcome {
  const max = HOOK_STORAGE_LIMITS.maxBytes;
  return { error: `storage.set: the data is ${bytes} bytes as JSON; a hook's storage holds at most ${max} bytes (500 KB)`, code: 413 };
}

/**
 * Serves one storage call of an invocation with Auth0's semantics: `set` fails with a conflict (code 409)
 * when another run wrote since this run's `get`, unless forced; a run that never read writes as if forced.
 */
export async function serveStorage(storage: HookStorage, key: HookStorageKey, session: StorageSession, requestJson: string): Promise<StorageOutcome> {
  const request = parseRequest(requestJson);
  if (!request) return { error: 'storage: invalid request', code: 'EINVAL' };
  if (request.op === 'get') {
    const stored = await storage.read(key);
    session.version = stored?.version ?? null;
    return { data: stored?.data ?? null };
  }
  const bytes = Buffer.byteLength(request.data);
  if (bytes > HOOK_STORAGE_LIMITS.maxBytes) return storageTooLarge(bytes);
  const condition = request.force || session.version === undefined ? ({ force: true } as const) : { version: session.version };
  const written = await storage.write(key, request.data, condition);
  if (!written.written) return storageConflict();
  session.version = written.version;
  return { ok: true };
}

function parseRequest(text: string): StorageRequest | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (value.op === 'get') return { op: 'get' };
    if (value.op === 'set' && typeof value.data === 'string') return { op: 'set', data: value.data, force: value.force === true };
  } catch {
    // Not JSON: invalid.
  }
  return undefined;
}
