import type { CacheStore, StoreEntry } from './store.types';

/**
 * A store that answers every operation synchronously, with exactly the behaviour of its
 * Promise methods (same units: TTLs in ms). In-process stores only (the memory store): they
 * never do I/O. A cache on such a store offers `cache.sync`.
 */
export interface SyncStore extends CacheStore {
  getSync(key: string): unknown;
  setSync(key: string, value: unknown, ttlMs?: number): void;
  deleteSync(key: string): boolean;
  /** Copies (checks) every value first, so one bad value writes nothing. */
  setManySync(entries: readonly StoreEntry[]): void;
  deleteManySync(keys: readonly string[]): number;
  incrementSync(key: string, by: number, ttlMs?: number): number;
  /** Remaining milliseconds, `Infinity` without expiry, `undefined` when missing. */
  ttlSync(key: string): number | undefined;
  touchSync(key: string, ttlMs?: number): boolean;
}

const SYNC_MEMBERS = [
  'getSync',
  'setSync',
  'deleteSync',
  'setManySync',
  'deleteManySync',
  'incrementSync',
  'ttlSync',
  'touchSync',
] as const;

/** Whether `store` implements every member of {@link SyncStore}. */
export function isSyncStore(store: CacheStore): store is SyncStore {
  const members = store as unknown as Record<string, unknown>;
  return SYNC_MEMBERS.every((m) => typeof members[m] === 'function');
}
