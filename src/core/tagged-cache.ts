import type { CacheApi, TaggedCacheApi } from './cache-api';
import { normalizeTags } from './cache-args';
import { CacheUnsupportedError } from './cache.errors';
import { CacheView } from './cache-view';
import type { CacheStats, RememberOptions } from './cache.types';
import { trackDependencies } from './remember/dependency-scope';
import { FOREVER, type Ttl, type TtlArg } from './ttl';

/**
 * The reads and writes of a cache on behalf of its tagged views (internal): `Cache` builds one
 * such object in its constructor and hands it to every {@link TaggedCache} it creates, so the
 * tagged paths stay private to the cache instead of being public members of it.
 */
export interface TaggedAccess {
  /** The store's configured name. */
  readonly name: string;
  /** `get`, reading the versions of `tags` with the entry where the store can (one round trip). */
  get<T>(
    key: string,
    fallback: T | (() => T | Promise<T>) | undefined,
    tags: readonly string[],
  ): Promise<T | undefined>;
  write(key: string, value: unknown, ttl: TtlArg, tags: readonly string[]): Promise<boolean>;
  add(key: string, value: unknown, ttl: TtlArg, tags: readonly string[]): Promise<boolean>;
  setMany(
    entries: Record<string, unknown> | Iterable<readonly [string, unknown]>,
    ttl: TtlArg,
    tags: readonly string[],
  ): Promise<boolean>;
  remember<T>(
    key: string,
    ttl: TtlArg,
    loader: () => T | Promise<T>,
    options: RememberOptions | undefined,
    tags: readonly string[],
  ): Promise<T>;
  flush(tags: readonly string[]): Promise<void>;
}

/**
 * A view of a cache whose writes carry tags. Reads answer what the plain cache answers: a tagged
 * entry is self-describing, so `get` anywhere sees a flush. `get` and `remember` hits through
 * the view read the entry and its tags' versions in one round trip where the store can
 * (`getWithTags`); the view knows its tags before the entry arrives.
 */
export class TaggedCache extends CacheView<CacheStats> implements TaggedCacheApi {
  constructor(
    /** The plain cache: reads go there. */
    cache: CacheApi<CacheStats>,
    private readonly writes: TaggedAccess,
    /** The tags this view writes with. */
    readonly tagNames: readonly string[],
  ) {
    super(cache);
    trackDependencies();
  }

  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(key: string, fallback: T | (() => T | Promise<T>)): Promise<T>;
  get<T = unknown>(key: string, fallback?: T | (() => T | Promise<T>)): Promise<T | undefined> {
    return this.writes.get<T>(key, fallback, this.tagNames);
  }
  has(key: string): Promise<boolean> {
    return this.cache.has(key);
  }
  getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    return this.cache.getMany<T>(keys);
  }
  ttl(key: string): Promise<number | undefined> {
    return this.cache.ttl(key);
  }
  pull<T = unknown>(key: string): Promise<T | undefined> {
    return this.cache.pull<T>(key);
  }
  delete(key: string): Promise<boolean> {
    return this.cache.delete(key);
  }
  deleteMany(keys: readonly string[]): Promise<number> {
    return this.cache.deleteMany(keys);
  }
  touch(key: string, ttl?: Ttl): Promise<boolean> {
    return this.cache.touch(key, ttl);
  }
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.writes.write(key, value, ttl, this.tagNames);
  }
  forever(key: string, value: unknown): Promise<boolean> {
    return this.writes.write(key, value, FOREVER, this.tagNames);
  }
  add(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.writes.add(key, value, ttl, this.tagNames);
  }
  setMany(entries: Record<string, unknown> | Iterable<readonly [string, unknown]>, ttl?: Ttl): Promise<boolean> {
    return this.writes.setMany(entries, ttl, this.tagNames);
  }
  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T | Promise<T>, options?: RememberOptions): Promise<T> {
    return this.writes.remember(key, ttl, loader, options, this.tagNames);
  }
  rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T> {
    return this.writes.remember(key, FOREVER, loader, options, this.tagNames);
  }
  /**
   * Counters are stored as raw numbers (so they stay atomic) and cannot carry tags.
   * @throws CacheUnsupportedError
   */
  increment(_key: string, _by?: number, _ttl?: Ttl): Promise<number> {
    return Promise.reject(new CacheUnsupportedError(this.writes.name, 'tags(...).increment'));
  }
  /** @throws CacheUnsupportedError, see {@link increment} */
  decrement(_key: string, _by?: number, _ttl?: Ttl): Promise<number> {
    return Promise.reject(new CacheUnsupportedError(this.writes.name, 'tags(...).decrement'));
  }
  /** Removes every entry carrying any of this view's tags, in every process sharing the store. */
  flush(): Promise<void> {
    return this.writes.flush(this.tagNames);
  }
  /** Clears the whole underlying cache (all tags); prefer `flush()`. */
  clear(): Promise<void> {
    return this.cache.clear();
  }
  /** A view with more tags. */
  tags(tags: string | readonly string[]): TaggedCache {
    return new TaggedCache(this.cache, this.writes, [...new Set([...this.tagNames, ...normalizeTags(tags)])]);
  }
  store(name: string): CacheApi<CacheStats> {
    return this.cache.store(name);
  }
  // Locks, funnels, health and counters are the plain cache's (CacheView); memo reads are untagged.
  memo(): CacheApi<CacheStats> {
    return this.cache.memo();
  }
}
