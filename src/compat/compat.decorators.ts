import { SetMetadata, type CustomDecorator, type ExecutionContext } from '@nestjs/common';
import { CACHE_KEY_METADATA, CACHE_TTL_METADATA } from './compat.constants';

/** Computes the cache key of a call from its context (may be async; `undefined`: not cached). */
export type CacheKeyFactory = (ctx: ExecutionContext) => string | Promise<string | undefined> | undefined;
/** Computes the TTL (ms) of a call from its context. */
export type CacheTTLFactory = (ctx: ExecutionContext) => Promise<number> | number;

/**
 * Sets the key `CacheInterceptor` caches a handler under. On an HTTP handler it also makes the
 * handler cacheable whatever its method (a POST with `@CacheKey` is cached, as upstream).
 * @example @CacheKey('events')
 */
export const CacheKey = (key: string | CacheKeyFactory): CustomDecorator<string> =>
  SetMetadata(CACHE_KEY_METADATA, key);

/**
 * Sets the TTL, in **milliseconds** (`0`: never expires), of what `CacheInterceptor` stores for a
 * handler or a controller.
 * @example @CacheTTL(5000) // five seconds
 */
export const CacheTTL = (ttl: number | CacheTTLFactory): CustomDecorator<string> =>
  SetMetadata(CACHE_TTL_METADATA, ttl);
