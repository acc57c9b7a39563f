import { Inject } from '@nestjs/common';
import { processShared } from '../core/process-shared';
import { CACHE_STORE_TOKEN_PREFIX } from './cache.constants';
import { CacheService } from './cache.service';

/**
 * Store names seen by `@InjectCache(name)` in this process. The module provides a token for each
 * (so `forRootAsync` works without repeating names) and checks at start-up that the ones its own
 * classes inject are configured; names recorded by another app's classes are left alone. Shared by
 * the ESM and CommonJS builds (a class decorated through one is seen by a module of the other).
 */
export const recordedStoreNames = processShared('recorded-store-names', () => new Set<string>());

/**
 * The injection token of the default store: `CacheService` itself, so
 * `moduleRef.get(getCacheToken())` is typed `CacheService`.
 */
export function getCacheToken(name?: undefined): typeof CacheService;
/**
 * The injection token of a named store's `Cache`: a string. Nest cannot type what a string token
 * resolves to (`moduleRef.get(token)` is `any`), so name the type:
 * @example moduleRef.get<Cache>(getCacheToken('redis'))
 */
export function getCacheToken(name: string): string;
/** The injection token of a named store's `Cache`; without a name, `CacheService`. */
export function getCacheToken(name?: string): string | typeof CacheService;
export function getCacheToken(name?: string): string | typeof CacheService {
  return name === undefined ? CacheService : `${CACHE_STORE_TOKEN_PREFIX}${name}`;
}

/**
 * Injects the `Cache` of a named store (or `CacheService` without a name).
 * @example constructor(@InjectCache('redis') private readonly redis: Cache) {}
 */
export function InjectCache(name?: string): PropertyDecorator & ParameterDecorator {
  if (name !== undefined) recordedStoreNames.add(name);
  return Inject(getCacheToken(name));
}
