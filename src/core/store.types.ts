import type { Clock } from './clock';
import type { CacheLogger } from './logger';

/**
 * The contract a store implements. Keys arrive already prefixed and normalised; values arrive
 * as they were given (stores that keep text use a {@link CacheSerializer}). TTLs are whole
 * milliseconds; `undefined` means "never expires".
 *
 * Only the first four methods are required. The core falls back to them for every optional
 * method a store leaves out; those fallbacks are not atomic across processes (see the docs).
 */
export interface CacheStore {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Removes every key of this store's namespace, and nothing else. */
  clear(): Promise<void>;

  /**
   * In-process stores may also answer reads and writes synchronously, with exactly the
   * behaviour of `get` and `set`: the cache then saves a promise per call. Leave them out
   * unless the store never does I/O.
   */
  getSync?(key: string): unknown;
  setSync?(key: string, value: unknown, ttlMs?: number): void;

  has?(key: string): Promise<boolean>;
  /** Values in the order of `keys`, `undefined` for misses. */
  getMany?(keys: readonly string[]): Promise<(unknown | undefined)[]>;
  setMany?(entries: readonly StoreEntry[]): Promise<void>;
  deleteMany?(keys: readonly string[]): Promise<number>;
  /** Adds `by` to a number (missing keys start at 0); `ttlMs` applies only when the key is created. */
  increment?(key: string, by: number, ttlMs?: number): Promise<number>;
  /** Stores only if the key is absent; resolves whether it stored. */
  add?(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  /** Remaining milliseconds, `Infinity` without expiry, `undefined` when missing. */
  ttl?(key: string): Promise<number | undefined>;
  /** Sets a new expiry (`undefined`: none); resolves whether the key existed. */
  touch?(key: string, ttlMs?: number): Promise<boolean>;
  /** Resolves when the backend answers; rejects when it does not. */
  ping?(): Promise<void>;
  /** Releases timers and connections the store owns. */
  close?(): Promise<void>;

  /** Cross-process lease: resolves whether `token` now holds `key`. */
  acquireLock?(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease held by `token`; resolves whether it still held it. */
  renewLock?(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Releases a lease only if `token` holds it. */
  releaseLock?(key: string, token: string): Promise<void>;
  /**
   * Resolves when `key` is written or deleted (by any process), or after `timeoutMs`.
   * Stores without a notification channel leave it out and the core polls.
   */
  waitForChange?(key: string, timeoutMs: number): Promise<void>;

  /** Store-specific figures merged into `stats()`, such as entries, bytes and evictions. */
  stats?(): StoreStats;
  /** Health detail beyond `ping`, used by two-tier stores: `degraded` when an optional part is down. */
  healthDetail?(): Promise<StoreHealthDetail>;
}

export interface StoreEntry {
  key: string;
  value: unknown;
  ttlMs?: number;
}

export interface StoreStats {
  entries?: number;
  bytes?: number;
  evictions?: number;
}

export interface StoreHealthDetail {
  status: 'up' | 'down' | 'degraded';
  error?: string;
  parts?: Record<string, { status: 'up' | 'down'; error?: string }>;
}

/** What a driver factory receives besides its own options. */
export interface StoreContext {
  /** The store's configured name. */
  name: string;
  /** Joined module and store prefix; every key the store sees starts with it (plus `:`). */
  namespace: string;
  clock: Clock;
  logger: CacheLogger;
  /** Resolves another configured store (used by the two-tier driver). */
  resolveStore(name: string): CacheStore;
  /** Call when the store drops `key` (as it received it) to make room, for `evict` events. Cheap without listeners. */
  onEvict?(key: string): void;
}
