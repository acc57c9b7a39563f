import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from '../core/cache';
import type { CacheStats, HealthReport, RememberOptions } from '../core/cache.types';
import type { TaggedCache } from '../core/tagged-cache';
import { CacheManager } from '../core/cache-manager';
import type { Ttl } from '../core/ttl';

/**
 * The default store's cache, injectable anywhere. Every call goes to the manager's current
 * default store (see `CacheManager.setDefaultStore`); `store(name)` reaches the others.
 * `health()` and `stats()` report every store.
 */
@Injectable()
export class CacheService {
  constructor(@Inject(CacheManager) readonly manager: CacheManager) {}

  private get cache(): Cache {
    return this.manager.default;
  }

  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(key: string, fallback: T | (() => T | Promise<T>)): Promise<T>;
  get<T = unknown>(key: string, fallback?: T | (() => T | Promise<T>)): Promise<T | undefined> {
    return fallback === undefined ? this.cache.get<T>(key) : this.cache.get<T>(key, fallback);
  }
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.cache.set(key, value, ttl);
  }
  add(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.cache.add(key, value, ttl);
  }
  has(key: string): Promise<boolean> {
    return this.cache.has(key);
  }
  delete(key: string): Promise<boolean> {
    return this.cache.delete(key);
  }
  pull<T = unknown>(key: string): Promise<T | undefined> {
    return this.cache.pull<T>(key);
  }
  clear(): Promise<void> {
    return this.cache.clear();
  }
  getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    return this.cache.getMany<T>(keys);
  }
  setMany(entries: Record<string, unknown> | Iterable<readonly [string, unknown]>, ttl?: Ttl): Promise<boolean> {
    return this.cache.setMany(entries, ttl);
  }
  deleteMany(keys: readonly string[]): Promise<number> {
    return this.cache.deleteMany(keys);
  }
  increment(key: string, by?: number, ttl?: Ttl): Promise<number> {
    return this.cache.increment(key, by, ttl);
  }
  decrement(key: string, by?: number, ttl?: Ttl): Promise<number> {
    return this.cache.decrement(key, by, ttl);
  }
  ttl(key: string): Promise<number | undefined> {
    return this.cache.ttl(key);
  }
  touch(key: string, ttl?: Ttl): Promise<boolean> {
    return this.cache.touch(key, ttl);
  }
  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T | Promise<T>, options?: RememberOptions): Promise<T> {
    return this.cache.remember(key, ttl, loader, options);
  }
  rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T> {
    return this.cache.rememberForever(key, loader, options);
  }
  forever(key: string, value: unknown): Promise<boolean> {
    return this.cache.forever(key, value);
  }
  tags(tags: string | readonly string[]): TaggedCache {
    return this.cache.tags(tags);
  }
  /** The cache of another configured store. */
  store(name?: string): Cache {
    return this.manager.store(name);
  }
  /** Health of every store. */
  health(): Promise<HealthReport> {
    return this.manager.health();
  }
  isHealthy(): Promise<boolean> {
    return this.manager.isHealthy();
  }
  /** Counters of every store. */
  stats(): Record<string, CacheStats> {
    return this.manager.stats();
  }
}
