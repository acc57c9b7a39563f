import type { Clock } from './clock';
import type { ThrottleHit, ThrottleResult } from './locks/throttle-step';
import type { CacheLogger } from './logger';

/**
 * The contract a store implements (the first file a custom-store author reads; see
 * docs/custom-stores.md and `describeStoreConformance` in `nestjs-cachekit/testing`).
 *
 * - **Keys** arrive already prefixed with the store's namespace and normalised
 *   (`<namespace>:<user key>`); a store never derives anything else from them. Keys whose part
 *   after the namespace starts with a NUL are the core's internal records (tag versions, leases,
 *   hashed long keys, the ping probe: see `INTERNAL_KEY_KIND` in core/keys.ts) and are stored
 *   like any other key.
 * - **Values** arrive as they were given; stores that keep text or bytes use a
 *   {@link CacheSerializer} (`defaultSerializer` keeps every type the docs promise).
 * - **Time** is whole **milliseconds** everywhere in this contract (`ttlMs`, `timeoutMs`, what
 *   `ttl` resolves); `undefined` means "never expires". Users speak seconds; the core converts.
 *
 * Only the four data methods are required. For every optional method a store leaves out, the
 * core falls back to the required four; those fallbacks are not atomic across processes (the
 * docs say which), so a shared store should implement the atomic group itself.
 */
export interface CacheStore {
  // -- Data (required) --------------------------------------------------------------------------

  /** The value under `key`, or `undefined` when missing or expired. */
  get(key: string): Promise<unknown | undefined>;
  /** Stores `value` (never `undefined`), expiring after `ttlMs`, or never when omitted. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Removes `key`; resolves whether something was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Removes every key of this store's namespace, and nothing else (never another app's keys).
   * The cache calls it only when the store has no {@link clearNamespace}.
   */
  clear(): Promise<void>;

  // -- Data, batched and optional: the core loops over the required methods without them -------

  /** Whether `key` is present and not expired. Fallback: `get(key) !== undefined`. */
  has?(key: string): Promise<boolean>;
  /** Values in the order of `keys`, `undefined` for misses, in one round trip where possible. */
  getMany?(keys: readonly string[]): Promise<(unknown | undefined)[]>;
  /** Stores every entry (each with its own `ttlMs`), in one round trip where possible. */
  setMany?(entries: readonly StoreEntry[]): Promise<void>;
  /** Removes every key given; resolves how many were removed. */
  deleteMany?(keys: readonly string[]): Promise<number>;
  /** Remaining milliseconds, `Infinity` without expiry, `undefined` when missing. Never more than was set. */
  ttl?(key: string): Promise<number | undefined>;
  /**
   * Removes every key that starts with `namespace` + `:` (every key the cache of that namespace
   * wrote, its internal records included), and nothing else; an empty `namespace` is every key.
   * `cache.clear()` calls it, with the cache's namespace, instead of `clear()` when present: one
   * store instance may then serve caches of several namespaces (two managers, two names,
   * `registerStore` twice, the tiers of a two-tier store) and each clears its own keys only.
   * Without it, `cache.clear()` calls `clear()`, and refuses to (`CacheUnsupportedError`) while
   * another namespace shares the instance. O(keys) is fine here.
   */
  clearNamespace?(namespace: string): Promise<void>;

  // -- Tags (optional): a tagged read in one round trip -----------------------------------------

  /**
   * The value under `key` and the values under `tagKeys`, read together in one round trip:
   * resolves `[value, ...versions]` (`versions[i]` is what `tagKeys[i]` holds, `undefined` where
   * it is missing). The cache calls it for reads through a tagged view (`cache.tags([...]).get`,
   * `remember` hits), `tagKeys` being the core's version keys of the view's tags. The value is
   * read as by `get` (an unreadable value rejects as `get` would); an unreadable version may come
   * back as anything but a string (it reads as a flushed tag: a miss). Without it the core reads
   * the value, then the versions its tags name: two round trips. `getManyWithTags` shows how a
   * store with a one-round-trip `getMany` implements it.
   */
  getWithTags?(key: string, tagKeys: readonly string[]): Promise<unknown[]>;

  // -- Synchronous fast path (in-process stores only) ------------------------------------------

  /**
   * In-process stores may also answer reads and writes synchronously, with exactly the
   * behaviour of `get` and `set`: the cache then saves a promise per call (and `cache.sync`
   * becomes available). Leave them out unless the store never does I/O.
   */
  getSync?(key: string): unknown;
  /** Synchronous `set`; see {@link getSync}. */
  setSync?(key: string, value: unknown, ttlMs?: number): void;
  /**
   * @internal A store whose `get` is not always synchronous but has an in-process tier that
   * answers hits (the two-tier store's memory L1): that tier while it may answer, else
   * `undefined`. A value its `getSync(key)` returns is exactly what `get(key)` would resolve now;
   * `undefined` from it means "not known without `get`" (a miss, or a read that must go further),
   * and what it throws is what `get` would reject with. The cache reads the tier directly before
   * `get` and saves the await (and every frame in between) of such a hit. Not part of the public
   * contract (docs/custom-stores.md); a store with `getSync` never needs it.
   */
  readonly nearSync?: { getSync(key: string): unknown };
  /**
   * @internal An in-process store's tag version epoch: a number that changes whenever a value it
   * holds under a tag version key (`<ns>:\0t:<id>`) may have changed (overwritten, deleted,
   * evicted, expired, cleared), or `-1` while it cannot tell. While it stays the same, the cache
   * trusts the versions it read from the store before (a tagged hit then reads none). Not part
   * of the public contract (docs/custom-stores.md): only a store that sees every write may have it.
   */
  versionEpoch?(): number;

  // -- Atomic operations: atomic across processes where the backend allows ---------------------

  /** Adds `by` to a number (missing keys start at 0); `ttlMs` applies only when the key is created. */
  increment?(key: string, by: number, ttlMs?: number): Promise<number>;
  /** Stores only if the key is absent; resolves whether it stored. */
  add?(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  /** Sets a new expiry (`undefined`: none); resolves whether the key existed. */
  touch?(key: string, ttlMs?: number): Promise<boolean>;

  // -- Coordination: leases of `remember(..., { lock: true })` and change notifications --------

  /**
   * Cross-process lease: resolves whether `token` now holds `key` (for `ttlMs`). `key` is the
   * core's lease key (`<ns>:\0l:<user key>`). Without the three lock methods, `lock: true` is
   * only as strong as the `add` fallback.
   */
  acquireLock?(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease held by `token`; resolves whether it still held it. */
  renewLock?(key: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Releases a lease only if `token` holds it; resolves whether it did (`cache.lock().release()`
   * answers `false` to a non-owner from this). A store that resolves nothing is read back instead.
   */
  releaseLock?(key: string, token: string): Promise<boolean | void>;
  /**
   * Resolves when `key` is written or deleted (by any process), or after `timeoutMs`, so a
   * caller waiting on another's lease wakes at once. Without it the core polls.
   */
  waitForChange?(key: string, timeoutMs: number): Promise<void>;
  /**
   * One rate-limit hit (`nestjs-cachekit/throttler`) on `key` (the core's `<ns>:\0r:<id>`), as
   * one atomic step across processes with the rules of `throttleStep` (exported for store
   * authors: keep its record under `key` and run it under the store's own atomicity). Without
   * it, an in-process store with `getSync`/`setSync` runs `throttleStep` itself; any other store
   * takes several round trips on `increment`/`add`/`ttl` (fixed windows; see docs/locks.md).
   */
  throttle?(key: string, hit: ThrottleHit): Promise<ThrottleResult>;

  // -- Observability ---------------------------------------------------------------------------

  /** Resolves when the backend answers; rejects when it does not. Without it, health reads a reserved key. */
  ping?(): Promise<void>;
  /** Health detail beyond `ping`, used by two-tier stores: `degraded` when an optional part is down. */
  healthDetail?(): Promise<StoreHealthDetail>;
  /** Store-specific figures merged into `stats()`, such as entries, bytes and evictions. */
  stats?(): StoreStats;

  // -- Lifecycle -------------------------------------------------------------------------------

  /**
   * Called once by `manager.ready()` (the Nest module awaits it at start-up): connect, create a
   * directory, subscribe. A rejection is reported naming the store.
   */
  init?(): Promise<void>;
  /** Releases timers and connections the store owns (never a client the user passed in). Called once. */
  close?(): Promise<void>;
}

/** One entry of `setMany`. */
export interface StoreEntry {
  key: string;
  value: unknown;
  ttlMs?: number;
}

/** What a store adds to `stats()`. */
export interface StoreStats {
  entries?: number;
  bytes?: number;
  evictions?: number;
  /** Errors the store met outside any call (a two-tier store's unreadable bus messages): added to `stats().errors`. */
  errors?: number;
}

/** A store's own view of its health (`healthDetail`). */
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
