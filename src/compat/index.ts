/**
 * `nestjs-cachekit/compat`: a drop-in for `@nestjs/cache-manager` 12. Change the import path,
 * nothing else; the cache then runs on this package's stores. See docs/migration.md.
 */
export { CACHE_KEY_METADATA, CACHE_MANAGER, CACHE_MODULE_OPTIONS, CACHE_TTL_METADATA } from './compat.constants';
export { Cache, CacheModule } from './compat.module';
export { CacheInterceptor } from './compat.interceptor';
export { CacheKey, CacheTTL } from './compat.decorators';
export type { CacheKeyFactory, CacheTTLFactory } from './compat.decorators';
export type {
  CacheManagerApi,
  CacheManagerOptions,
  CacheModuleAsyncOptions,
  CacheModuleOptions,
  CacheOptions,
  CacheOptionsFactory,
  CompatStore,
  CompatStoreView,
  Events,
  StoredDataRaw,
  WrapOptions,
  WrapOptionsRaw,
} from './compat.types';
