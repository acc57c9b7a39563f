import type { Cache } from './cache';
import type { CacheApi, CacheEntries, CacheFallback, StatsReport, SyncCache } from './cache-api';
import type { HealthReport, RememberOptions } from './cache.types';
import type { CacheFunnel, FunnelOptions } from './locks/cache-funnel';
import type { Lock, LockOptions } from './locks/cache-lock';
import { memoOf } from './memo/request-memo';
import type { TaggedCache } from './tagged-cache';
import type { Ttl } from './ttl';

/**
 * The Cache API acting on whichever store is the default right now: the base of `CacheManager`
 * and of `CacheService` (so `FakeCache` too). Each call resolves the default store's `Cache`
 * afresh, so `setDefaultStore(name)` takes effect at once. `store`, `health`, `isHealthy` and
 * `stats` are the subclass's (they report every store). Member docs: {@link CacheApi}.
 */
export abstract class DefaultStoreCache implements CacheApi<StatsReport> {
  // An ES private field: nothing of it shows in the published declarations.
  readonly #current: (self: DefaultStoreCache) => Cache;

  /** @param current resolves the default store's cache (given `this`, so subclasses need no closure over it) */
  protected constructor(current: (self: DefaultStoreCache) => Cache) {
    this.#current = current;
  }

  /**
   * The default store's {@link SyncCache}: the API without promises, while the default store is
   * memory (resolved at each read, so it follows `setDefaultStore`).
   * @throws CacheUnsupportedError naming the default store when it cannot answer synchronously
   */
  get sync(): SyncCache {
    return this.#current(this).sync;
  }

  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(key: string, fallback: CacheFallback<T>): Promise<T>;
  get<T = unknown>(key: string, fallback?: CacheFallback<T>): Promise<T | undefined> {
    const cache = this.#current(this);
    return fallback === undefined ? cache.get<T>(key) : cache.get<T>(key, fallback);
  }
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.#current(this).set(key, value, ttl);
  }
  add(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.#current(this).add(key, value, ttl);
  }
  has(key: string): Promise<boolean> {
    return this.#current(this).has(key);
  }
  delete(key: string): Promise<boolean> {
    return this.#current(this).delete(key);
  }
  pull<T = unknown>(key: string): Promise<T | undefined> {
    return this.#current(this).pull<T>(key);
  }
  clear(): Promise<void> {
    return this.#current(this).clear();
  }
  getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    return this.#current(this).getMany<T>(keys);
  }
  setMany(entries: CacheEntries, ttl?: Ttl): Promise<boolean> {
    return this.#current(this).setMany(entries, ttl);
  }
  deleteMany(keys: readonly string[]): Promise<number> {
    return this.#current(this).deleteMany(keys);
  }
  increment(key: string, by?: number, ttl?: Ttl): Promise<number> {
    return this.#current(this).increment(key, by, ttl);
  }
  decrement(key: string, by?: number, ttl?: Ttl): Promise<number> {
    return this.#current(this).decrement(key, by, ttl);
  }
  ttl(key: string): Promise<number | undefined> {
    return this.#current(this).ttl(key);
  }
  touch(key: string, ttl?: Ttl): Promise<boolean> {
    return this.#current(this).touch(key, ttl);
  }
  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T | Promise<T>, options?: RememberOptions): Promise<T> {
    return this.#current(this).remember(key, ttl, loader, options);
  }
  rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T> {
    return this.#current(this).rememberForever(key, loader, options);
  }
  forever(key: string, value: unknown): Promise<boolean> {
    return this.#current(this).forever(key, value);
  }
  tags(tags: string | readonly string[]): TaggedCache {
    return this.#current(this).tags(tags);
  }
  lock(name: string, ttl?: Ttl, options?: LockOptions): Lock {
    return this.#current(this).lock(name, ttl, options);
  }
  restoreLock(name: string, owner: string, ttl?: Ttl): Lock {
    return this.#current(this).restoreLock(name, owner, ttl);
  }
  funnel(name: string, options: FunnelOptions): CacheFunnel {
    return this.#current(this).funnel(name, options);
  }
  /** Shares one request memo with every other `memo()` of the store that is the default at each read. */
  memo(): CacheApi<StatsReport> {
    return memoOf<StatsReport>(this, () => this.#current(this));
  }

  abstract store(name?: string): Cache;
  abstract health(): Promise<HealthReport>;
  abstract isHealthy(): Promise<boolean>;
  abstract stats(): StatsReport;
}
