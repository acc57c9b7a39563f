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
 * The injection token of a named store's `Cache`; without a name, `CacheService`.
 * @example moduleRef.get(getCacheToken('redis'))
 */
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
