/**
 * Auth0's `context.webtask.storage`: one JSON document per tenant and hook, with optimistic concurrency.
 * A host may keep it anywhere by implementing this interface (the module's `hookStorage` option).
 */
export interface HookStorageKey {
  tenant: string;
  /** The hook's id (its consumer id, `tenant/name`, in deliveries). */
  hook: string;
}

/** What is stored: the data as JSON text, and an opaque version that changes with every write. */
export interface StoredHookData {
  data: string;
  version: string;
}

/**
 * When a write may happen: `force` always; otherwise only while the stored version is still `version`
 * (`null`: only while nothing is stored).
 */
export type HookStorageCondition = { force: true } | { version: string | null };

export type HookStorageWrite = { written: true; version: string } | { written: false; conflict: true };

export interface HookStorage {
  /** The hook's data, or undefined when it never stored any. */
  read(key: HookStorageKey): Promise<StoredHookData | undefined>;
  /** Writes `data` (JSON text, at most {@link HOOK_STORAGE_LIMITS.maxBytes} bytes) if `condition` holds. */
  write(key: HookStorageKey, data: string, condition: HookStorageCondition): Promise<HookStorageWrite>;
}

export const HOOK_STORAGE_LIMITS = {
  /** Auth0's limit: 500 KB of JSON per hook. */
  maxBytes: 500 * 1024,
  /** storage.get/set calls per invocation. */
  maxCallsPerInvocation: 20,
} as const;
