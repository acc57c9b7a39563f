import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheModuleOptions } from './compat.types';

/** DI token of the cache manager (`@Inject(CACHE_MANAGER)`), the string `'CACHE_MANAGER'` as upstream. */
export const CACHE_MANAGER = 'CACHE_MANAGER';
/** Metadata key of `@CacheKey` (third-party code sets it with `SetMetadata`). */
export const CACHE_KEY_METADATA = 'cache_module:cache_key';
/** Metadata key of `@CacheTTL`. */
export const CACHE_TTL_METADATA = 'cache_module:cache_ttl';

/** The builder of `CacheModule` (module name `Cache`, factory method `createCacheOptions`), as upstream. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<CacheModuleOptions>({
  moduleName: 'Cache',
})
  .setFactoryMethodName('createCacheOptions')
  .build();

/** DI token of the module options: the string `'CACHE_MODULE_OPTIONS'`. */
export const CACHE_MODULE_OPTIONS: string | symbol = MODULE_OPTIONS_TOKEN;
