import { Logger, Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import type { CacheLogger } from '../core/logger';
import { createCompatCache } from './compat-cache';
import { CACHE_MANAGER, ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './compat.constants';
import type { CacheManagerApi, CacheModuleAsyncOptions, CacheModuleOptions } from './compat.types';

/**
 * The cache manager's type, and a DI token for it (an alias of `CACHE_MANAGER`):
 * `constructor(private cache: Cache)` works as with @nestjs/cache-manager.
 */
// One name for the token class and the manager's type, as upstream declares it.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class Cache {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Cache extends CacheManagerApi {}

const logger = new Logger('CacheModule');
const nestLogger: CacheLogger = {
  log: (m) => logger.log(m),
  warn: (m) => logger.warn(m),
  error: (m) => logger.error(m),
};

const cacheManagerProvider: FactoryProvider = {
  provide: CACHE_MANAGER,
  useFactory: async (options: CacheModuleOptions) => createCompatCache(options, nestLogger),
  inject: [MODULE_OPTIONS_TOKEN],
};

/**
 * Drop-in for @nestjs/cache-manager's `CacheModule`: `register` / `registerAsync` with the same
 * options (TTLs in milliseconds), providing `CACHE_MANAGER` and `Cache`, backed by this
 * package's stores.
 */
@Module({
  providers: [cacheManagerProvider, { provide: Cache, useExisting: CACHE_MANAGER }],
  exports: [CACHE_MANAGER, Cache],
})
export class CacheModule extends ConfigurableModuleClass {
  /** Configures the cache statically. `isGlobal` makes it global. */
  static override register<StoreConfig extends object = Record<string, unknown>>(
    options: CacheModuleOptions<StoreConfig> = {} as CacheModuleOptions<StoreConfig>,
  ): DynamicModule {
    return { global: options.isGlobal, ...super.register(options as CacheModuleOptions) };
  }

  /** Configures the cache from a factory, a class or an existing provider; `extraProviders` join the module. */
  static override registerAsync<StoreConfig extends object = Record<string, unknown>>(
    options: CacheModuleAsyncOptions<StoreConfig>,
  ): DynamicModule {
    const definition = super.registerAsync(options as CacheModuleAsyncOptions);
    return {
      global: options.isGlobal,
      ...definition,
      providers: options.extraProviders
        ? (definition.providers ?? []).concat(options.extraProviders)
        : definition.providers,
    };
  }
}
