import type { HookStorage, HookStorageCondition, HookStorageKey, HookStorageWrite, StoredHookData } from './hook-storage';

/** Hook storage in this process's memory (the inline transport's default): lost at restart, not shared between instances. */
export class MemoryHookStorage implements HookStorage {
  private readonly entries = new Map<string, StoredHookData>();
  private sequence = 0;

  read(key: HookStorageKey): Promise<StoredHookData | undefined> {
    const entry = this.entries.get(storageKey(key));
    return Promise.resolve(entry && { ...entry });
  }

  write(key: HookStorageKey, data: string, condition: HookStorageCondition): Promise<HookStorageWrite> {
    const id = storageKey(key);
    const current = this.entries.get(id)?.version ?? null;
    if (!('force' in condition) && condition.version !== current) return Promise.resolve({ written: false, conflict: true });
    const version = String(++this.sequence);
    this.entries.set(id, { data, version });
    return Promise.resolve({ written: true, version });
  }
}

/** One string per tenant and hook (a NUL cannot appear in either). */
export function storageKey(key: HookStorageKey): string {
  return `${key.tenant}\0${key.hook}`;
}
