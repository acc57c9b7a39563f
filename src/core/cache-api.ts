// The one description of the Cache API. `Cache`, `TaggedCache`, `CacheManager`, `CacheService`
// and `FakeCache` implement it, so the compiler keeps the five in step; members left without
// JSDoc in those classes show these docs in editors (TypeScript inherits them).
import type { CacheStats, HealthReport, RememberOptions } from './cache.types';
import type { CacheFunnel, FunnelOptions } from './locks/cache-funnel';
import type { Lock, LockOptions } from './locks/cache-lock';
import type { Ttl } from './ttl';

/** Counters of every store, keyed by store name (what the manager and `CacheService` report). */
export type StatsReport = Record<string, CacheStats>;

/** What `setMany` accepts: an object, a `Map`, or any iterable of `[key, value]` pairs. */
export type CacheEntries = Record<string, unknown> | Iterable<readonly [string, unknown]>;

/** A `get` fallback: a value, or a function producing one (called only on a miss). */
export type CacheFallback<T> = T | (() => T | Promise<T>);

/**
 * The Cache API shared by every store's `Cache`, a `TaggedCache`, the `CacheManager` (acting on
 * its current default store), `CacheService` and the test `FakeCache`. Type a parameter with it
 * to accept any of them.
 *
 * TTLs are **seconds** (fractional allowed) or duration strings (`'500ms'`, `'30s'`, `'10m'`,
 * `'1h'`, `'7d'`); omitted, the store's or module's default applies. Keys are non-empty strings.
 * Reads and `remember` fail open when the store is down (a miss; the loader runs), writes resolve
 * `false`; counters, `add`, `clear` and tag flushes throw `CacheUnavailableError`.
 *
 * @typeParam Stats what {@link CacheApi.stats} returns: one store's counters on a `Cache`, every
 *   store's ({@link StatsReport}) on the manager and `CacheService`.
 */
export interface CacheApi<Stats extends CacheStats | StatsReport = CacheStats | StatsReport> {
  /**
   * The cached value, or `undefined` on a miss. `null` is a value like any other.
   * @example const user = await cache.get<User>('user:1');
   */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /**
   * The cached value, or `fallback` on a miss (a function is called, and may be async). The
   * fallback is not stored: use {@link CacheApi.remember} for that.
   * @example const theme = await cache.get('theme', 'light');
   */
  get<T = unknown>(key: string, fallback: CacheFallback<T>): Promise<T>;

  /**
   * Stores a value for `ttl` (default: the store's or module's TTL; none: no expiry).
   * Resolves `true`, or `false` when the store failed (logged and counted).
   * @throws CacheArgumentError for `undefined` or an invalid TTL; CacheSerializationError for a
   *   value that cannot be stored (function, symbol, cycle). Nothing is written then.
   * @example await cache.set('user:1', user, '10m');
   */
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean>;

  /**
   * Stores only if `key` is absent (atomic where the store can). Resolves whether it stored.
   * @example if (await cache.add('job:42', 'claimed', '5m')) await runJob();
   */
  add(key: string, value: unknown, ttl?: Ttl): Promise<boolean>;

  /** Whether a fresh value is cached under `key` (an expired, deleted or tag-flushed one is not). */
  has(key: string): Promise<boolean>;

  /** Removes `key`. Resolves whether something was removed. */
  delete(key: string): Promise<boolean>;

  /**
   * Gets a value and removes it.
   * @example const token = await cache.pull<string>('once:abc');
   */
  pull<T = unknown>(key: string): Promise<T | undefined>;

  /** Removes every key of this cache (its prefix), never another app's. */
  clear(): Promise<void>;

  /**
   * Values for many keys, in one round trip where the store can; misses are `undefined`.
   * @example const { a, b } = await cache.getMany<number>(['a', 'b']);
   */
  getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>>;

  /**
   * Stores many values with one TTL, in one round trip where the store can. One invalid value
   * writes nothing.
   * @example await cache.setMany({ a: 1, b: 2 }, '1m');
   */
  setMany(entries: CacheEntries, ttl?: Ttl): Promise<boolean>;

  /** Removes many keys; resolves how many were removed. */
  deleteMany(keys: readonly string[]): Promise<number>;

  /**
   * Adds `by` (default 1) atomically (across processes on Redis and file stores) and resolves
   * the new value. A missing key starts at 0 and gets `ttl`; an existing one keeps its expiry.
   * @example const hits = await cache.increment(`visits:${page}`, 1, '1d');
   */
  increment(key: string, by?: number, ttl?: Ttl): Promise<number>;

  /** Subtracts `by` (default 1); see {@link CacheApi.increment}. */
  decrement(key: string, by?: number, ttl?: Ttl): Promise<number>;

  /** Remaining seconds: `Infinity` when the entry never expires, `undefined` when it is missing. */
  ttl(key: string): Promise<number | undefined>;

  /**
   * Resets the expiry of `key` to `ttl` (or the default). Resolves whether the key existed.
   * @example await cache.touch('session:abc', '30m');
   */
  touch(key: string, ttl?: Ttl): Promise<boolean>;

  /**
   * The cached value, or the loader's result stored for `ttl`. Concurrent calls for one key in
   * this process run the loader once; with `options.lock`, once across processes. A loader that
   * throws stores nothing and its error reaches every waiting caller; a loader resolving
   * `undefined` is returned but not cached. `options.staleTtl` serves a stale value while one
   * background refresh runs.
   * @example const user = await cache.remember('user:1', '10m', () => db.users.find(1));
   */
  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T | Promise<T>, options?: RememberOptions): Promise<T>;

  /**
   * {@link CacheApi.remember} without expiry.
   * @example const config = await cache.rememberForever('config', () => loadConfig());
   */
  rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T>;

  /** Stores a value that never expires, whatever the defaults. */
  forever(key: string, value: unknown): Promise<boolean>;

  /**
   * A view whose writes carry these tags; its `flush()` removes every entry carrying any of them.
   * @example
   * await cache.tags(['users', 'active']).set('user:1', user);
   * await cache.tags('users').flush(); // cache.get('user:1') now misses
   */
  tags(tags: string | readonly string[]): TaggedCacheApi;

  /**
   * The cache of another configured store.
   * @throws CacheStoreNotFoundError naming the known stores
   * @example await cache.store('redis').set('shared', 1);
   */
  store(name: string): CacheApi<CacheStats>;

  /**
   * A named lock on this store: atomic across processes on Redis, Postgres, file and two-tier
   * stores, in-process on memory. `ttl` is its lease (default 10 s); while a function passed to
   * `get`/`block` runs, the lease is renewed unless `{ renew: false }`. See docs/locks.md.
   * @example
   * await cache.lock('reports:daily', '30s').get(() => buildReport()); // false if held elsewhere
   * await cache.lock('reports:daily').block('5s', () => buildReport()); // waits, or CacheLockTimeoutError
   */
  lock(name: string, ttl?: Ttl, options?: LockOptions): Lock;

  /**
   * The lock `name` as held by `owner` (a `lock.owner` from elsewhere: another process or a
   * queued job), so it can be released there.
   * @example await cache.restoreLock('reports:daily', ownerFromJob).release();
   */
  restoreLock(name: string, owner: string, ttl?: Ttl): Lock;

  /**
   * A concurrency limit shared by every process on this store: `run(fn)` waits up to `wait` for
   * one of `limit` slots, then `CacheLockTimeoutError`.
   * @example await cache.funnel('pdf-render', { limit: 3, wait: '10s', ttl: '2m' }).run(render);
   */
  funnel(name: string, options: FunnelOptions): CacheFunnel;

  /**
   * A cache whose reads are memoised for the current request (every `memo()` in one request shares
   * one memo; outside a request, for the returned object's lifetime). Writes through it update the
   * memo. For values read several times per request; not for values other processes change
   * mid-request. See docs/locks.md ("Request memo").
   * @example const memo = cache.memo(); await memo.get('settings'); await memo.get('settings'); // one store read
   */
  memo(): CacheApi<Stats>;

  /** Whether every store reported by {@link CacheApi.health} is up (degraded counts as up). */
  isHealthy(): Promise<boolean>;

  /**
   * Pings the store(s): `{ [store]: { status: 'up' | 'down' | 'degraded', latencyMs, error? } }`.
   * One store on a `Cache`; every store on the manager and `CacheService`.
   */
  health(): Promise<HealthReport>;

  /**
   * Counters since start (hits, misses, hitRatio, writes, deletes, evictions, errors, staleHits;
   * entries and bytes where the store knows them). One store's on a `Cache`; every store's,
   * keyed by name, on the manager and `CacheService`.
   */
  stats(): Stats;
}

/** A {@link CacheApi} whose writes carry tags (`cache.tags([...])`). Reads are the plain cache's. */
export interface TaggedCacheApi extends CacheApi<CacheStats> {
  /** The tags this view writes with. */
  readonly tagNames: readonly string[];
  /** Removes every entry carrying any of this view's tags, in every process sharing the store. */
  flush(): Promise<void>;
  /** A view with these tags added. */
  tags(tags: string | readonly string[]): TaggedCacheApi;
}

/** Options of {@link SyncCache.remember}: those of `remember` that make sense without waiting (no lock). */
export type SyncRememberOptions = Pick<RememberOptions, 'staleTtl' | 'jitter'>;

/**
 * The Cache API answered synchronously: `cache.sync` on a memory store, and on the manager or
 * `CacheService` while the default store is memory. Same arguments, validation, TTL defaults and
 * semantics as the Promise API, on the same entries: a value set through one is read through the
 * other, a tag flushed with `tags(...).flush()` is gone here too, stats and events count these
 * calls. Errors are thrown instead of rejected. Reading `cache.sync` on any other store throws
 * `CacheUnsupportedError` naming the store.
 *
 * @example
 * const views = cache.sync.increment(`views:${id}`);
 * const rates = cache.sync.remember('rates', '1m', () => computeRates());
 */
export interface SyncCache {
  /** The cached value, or `undefined` on a miss. */
  get<T = unknown>(key: string): T | undefined;
  /** The cached value, or `fallback` on a miss (a function is called). */
  get<T = unknown>(key: string, fallback: T | (() => T)): T;
  /** Stores a value for `ttl` (default: the store's); `true`, or `false` when the store failed. */
  set(key: string, value: unknown, ttl?: Ttl): boolean;
  /** Stores only if `key` is absent; whether it stored. */
  add(key: string, value: unknown, ttl?: Ttl): boolean;
  /** Whether a fresh value is cached under `key`. */
  has(key: string): boolean;
  /** Removes `key`; whether something was removed. */
  delete(key: string): boolean;
  /** Gets a value and removes it. */
  pull<T = unknown>(key: string): T | undefined;
  /** Values for many keys; misses are `undefined`. */
  getMany<T = unknown>(keys: readonly string[]): Record<string, T | undefined>;
  /** Stores many values with one TTL; one invalid value writes nothing. */
  setMany(entries: CacheEntries, ttl?: Ttl): boolean;
  /** Removes many keys; how many were removed. */
  deleteMany(keys: readonly string[]): number;
  /** Adds `by` (default 1); a missing key starts at 0 and gets `ttl`. Returns the new value. */
  increment(key: string, by?: number, ttl?: Ttl): number;
  /** Subtracts `by` (default 1); see {@link SyncCache.increment}. */
  decrement(key: string, by?: number, ttl?: Ttl): number;
  /** Remaining seconds: `Infinity` when the entry never expires, `undefined` when it is missing. */
  ttl(key: string): number | undefined;
  /** Resets the expiry of `key` to `ttl` (or the default); whether the key existed. */
  touch(key: string, ttl?: Ttl): boolean;
  /**
   * The cached value, or the result of the synchronous `loader`, stored for `ttl`. A loader that
   * throws stores nothing; one returning `undefined` is returned but not cached. With
   * `staleTtl`, a stale value is returned at once and refreshed in the background.
   * @throws CacheArgumentError when the loader returns a Promise (use `await cache.remember(...)`)
   * @example const config = cache.sync.remember('config', '5m', () => readConfigSync());
   */
  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T, options?: SyncRememberOptions): T;
}
