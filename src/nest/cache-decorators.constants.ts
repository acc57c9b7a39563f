/** Metadata of `@Cacheable` (on a method, or class-level defaults on a class). */
export const CACHEABLE_METADATA = 'nestjs-cachekit:cacheable';
/** Metadata of `@CacheEvict`. */
export const CACHE_EVICT_METADATA = 'nestjs-cachekit:cache-evict';
/** Metadata of `@CachePut`. */
export const CACHE_PUT_METADATA = 'nestjs-cachekit:cache-put';
/** Metadata of `@CacheTags` (method, or class-level for every cached method of the class). */
export const CACHE_TAGS_METADATA = 'nestjs-cachekit:cache-tags';
/** Marks a trampoline installed by a decorator; its value is the original method. */
export const ORIGINAL_METHOD = Symbol.for('nestjs-cachekit:original-method');
/** Metadata of `@CacheLock`. */
export const CACHE_LOCK_METADATA = 'nestjs-cachekit:cache-lock';
