// `cache.memo()` (Laravel's `Cache::memo()`): a view of a cache whose reads are memoised for the
// current request, so a request that reads one key five times reads the store once. Writes
// through the view update the memo; writes through a tagged view forget it.
import { toPairs } from '../cache-args';
import type { CacheApi, CacheEntries, CacheFallback, StatsReport, TaggedCacheApi } from '../cache-api';
import type { CacheStats, RememberOptions } from '../cache.types';
import type { Ttl } from '../ttl';
import { CacheView } from '../cache-view';
import { currentRequestMemo, useRequestMemo } from './memo-scope';
import { putOwn } from '../own-record';

/** A memoised miss (a plain `undefined` could not be told from "not memoised"). */
const MISS = Symbol('miss');

/**
 * The memo view of `cache`. `identity` names the store behind it at each read, so every memo of
 * one store shares the request's memo (the manager's resolves its current default store).
 */
export function memoOf<Stats extends CacheStats | StatsReport>(
  cache: CacheApi<Stats>,
  identity: () => object = () => cache,
): CacheApi<Stats> {
  useRequestMemo();
  return new MemoCache(cache, identity);
}

const READS = new Set(['get', 'getMany', 'has', 'ttl', 'isHealthy', 'health', 'stats', 'tagNames']);

class MemoCache<Stats extends CacheStats | StatsReport> extends CacheView<Stats> implements CacheApi<Stats> {
  /** The memo outside any request: lives as long as this object. */
  private readonly own = new Map<string, unknown>();

  constructor(
    cache: CacheApi<Stats>,
    private readonly identity: () => object,
  ) {
    super(cache);
  }

  private map(): Map<string, unknown> {
    const request = currentRequestMemo();
    if (!request) return this.own;
    const id = this.identity();
    let m = request.get(id);
    if (!m) request.set(id, (m = new Map()));
    return m;
  }

  async get<T = unknown>(key: string, fallback?: CacheFallback<T>): Promise<T | undefined> {
    const m = this.map();
    let value = m.get(key);
    if (value === undefined) {
      value = await this.cache.get<T>(key);
      m.set(key, value === undefined ? MISS : value);
    }
    if (value !== MISS) return value as T;
    return typeof fallback === 'function' ? (fallback as () => T | Promise<T>)() : fallback;
  }
  async getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    const m = this.map();
    const out: Record<string, T | undefined> = {};
    const missing = keys.filter((k) => !m.has(k));
    const fetched = missing.length ? await this.cache.getMany<T>(missing) : {};
    for (const k of missing) m.set(k, fetched[k] === undefined ? MISS : fetched[k]);
    for (const k of keys) {
      const v = m.get(k);
      putOwn(out, k, v === MISS ? undefined : (v as T));
    }
    return out;
  }
  async has(key: string): Promise<boolean> {
    const v = this.map().get(key);
    return v === undefined ? this.cache.has(key) : v !== MISS;
  }
  ttl(key: string): Promise<number | undefined> {
    return this.cache.ttl(key);
  }
  async remember<T>(
    key: string,
    ttl: Ttl | undefined,
    loader: () => T | Promise<T>,
    options?: RememberOptions,
  ): Promise<T> {
    const m = this.map();
    const v = m.get(key);
    if (v !== undefined && v !== MISS) return v as T;
    const value = await this.cache.remember(key, ttl, loader, options);
    m.set(key, value);
    return value;
  }
  async rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T> {
    const m = this.map();
    const v = m.get(key);
    if (v !== undefined && v !== MISS) return v as T;
    const value = await this.cache.rememberForever(key, loader, options);
    m.set(key, value);
    return value;
  }

  async set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.wrote(key, value, await this.cache.set(key, value, ttl));
  }
  async add(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    const added = await this.cache.add(key, value, ttl);
    if (added) this.map().set(key, value);
    else this.map().delete(key); // someone else's value is there: read it when asked
    return added;
  }
  async forever(key: string, value: unknown): Promise<boolean> {
    return this.wrote(key, value, await this.cache.forever(key, value));
  }
  async setMany(entries: CacheEntries, ttl?: Ttl): Promise<boolean> {
    const pairs = toPairs(entries);
    const ok = await this.cache.setMany(pairs, ttl);
    const m = this.map();
    for (const [k, v] of pairs) {
      if (ok) m.set(k, v);
      else m.delete(k);
    }
    return ok;
  }
  async delete(key: string): Promise<boolean> {
    const removed = await this.cache.delete(key);
    this.map().set(key, MISS);
    return removed;
  }
  async deleteMany(keys: readonly string[]): Promise<number> {
    const n = await this.cache.deleteMany(keys);
    const m = this.map();
    for (const k of keys) m.set(k, MISS);
    return n;
  }
  async pull<T = unknown>(key: string): Promise<T | undefined> {
    const v = this.map().get(key);
    const value = await this.cache.pull<T>(key);
    this.map().set(key, MISS);
    return value ?? (v === undefined || v === MISS ? undefined : (v as T));
  }
  async clear(): Promise<void> {
    this.map().clear();
    await this.cache.clear();
  }
  async increment(key: string, by?: number, ttl?: Ttl): Promise<number> {
    const n = await this.cache.increment(key, by, ttl);
    this.map().set(key, n);
    return n;
  }
  async decrement(key: string, by?: number, ttl?: Ttl): Promise<number> {
    const n = await this.cache.decrement(key, by, ttl);
    this.map().set(key, n);
    return n;
  }
  async touch(key: string, ttl?: Ttl): Promise<boolean> {
    return this.cache.touch(key, ttl);
  }

  /** A tagged view of the plain cache; any write or flush through it forgets this memo. */
  tags(tags: string | readonly string[]): TaggedCacheApi {
    const tagged = this.cache.tags(tags);
    const forget = () => this.map().clear();
    return new Proxy(tagged, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string' || READS.has(prop)) return value;
        return (...args: unknown[]) => {
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (out instanceof Promise) return out.finally(forget);
          forget();
          return out;
        };
      },
    });
  }
  store(name: string): CacheApi<CacheStats> {
    return memoOf(this.cache.store(name));
  }
  memo(): CacheApi<Stats> {
    return this;
  }
  private wrote(key: string, value: unknown, ok: boolean): boolean {
    if (ok) this.map().set(key, value);
    else this.map().delete(key);
    return ok;
  }
}
