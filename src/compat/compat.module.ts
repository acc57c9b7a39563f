import { Logger, Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import type { CacheLogger } from '../core/logger';
import { createCompatCache } from './compat-cache';
import { CACHE_MANAGER, ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './compat.constants';
import type { CacheManagerApi, CacheModuleAsyncOptions, CacheModuleOptions } from './compat.types';

abstract class CacheToken {}
const registry = globalThis as unknown as Record<symbol, typeof CacheToken | undefined>;
const CACHE_TOKEN_KEY = Symbol.for('nestjs-cachekit:compat:Cache');

/**
 * A DI token for the cache manager (an alias of `CACHE_MANAGER`), and its type:
 * `constructor(private cache: Cache)` works as with @nestjs/cache-manager. One class per process,
 * whether this package is loaded through `import` or `require`.
 */
export const Cache: abstract new () => object = (registry[CACHE_TOKEN_KEY] ??= CacheToken);
/** The cache manager's type (cache-manager 7's `Cache`). */
export type Cache = CacheManagerApi;

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
