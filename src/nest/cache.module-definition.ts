import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheManagerOptions } from '../config/cache-options';
import type { CacheTelemetryOptions } from './cache-telemetry';

/** Options of `CacheModule.forRoot` (and what `forRootAsync`'s factory returns). */
export interface CacheModuleOptions extends CacheManagerOptions {
  /**
   * OpenTelemetry metrics and spans (`nestjs-cachekit/otel`) through the global meter and tracer
   * providers; needs `@opentelemetry/api`. For other providers call `instrumentCache` yourself.
   * @default false
   */
  telemetry?: boolean | CacheTelemetryOptions;
}

/** Options that shape the module itself rather than the caches. */
export interface CacheModuleExtras {
  /**
   * Register the module globally, so feature modules need not import it.
   * @default false
   */
  isGlobal?: boolean;
  /**
   * Store names to provide as `@InjectCache(name)` tokens with `forRootAsync`, when they are not
   * all injected through `@InjectCache` (for example for `moduleRef.get<Cache>(getCacheToken(name))`).
   */
  storeNames?: string[];
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CACHE_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheModuleOptions>({ moduleName: 'Cache' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCacheOptions')
  .setExtras<CacheModuleExtras>({ isGlobal: false, storeNames: [] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
