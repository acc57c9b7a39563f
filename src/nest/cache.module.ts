import {
  Inject,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, HttpAdapterHost } from '@nestjs/core';
import { CacheStoreNotFoundError } from '../core/cache.errors';
import { CacheManager } from '../core/cache-manager';
import { DEFAULT_STORES } from '../config/cache-options';
import { CACHE_STORE_TOKEN_PREFIX } from './cache.constants';
import { CacheDecoratorRuntime } from './methods/cache-decorator.runtime';
import { CacheableExplorer } from './methods/cacheable.explorer';
import {
  ASYNC_OPTIONS_TYPE,
  CacheModuleExtras,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
} from './cache.module-definition';
import { cacheManagerProvider, storeProviders } from './cache.providers';
import { stopTelemetry } from './cache-telemetry';
import { CacheService } from './cache.service';
import { otherCopyAliases } from './package-copies';
import { openRequestMemoScopes, requestMemoMiddleware } from './memo/request-memo.scope';

/**
 * Registers a {@link CacheManager}, `CacheService` (the default store) and one
 * `@InjectCache(name)` provider per store.
 *
 * @example
 * CacheModule.forRoot({ isGlobal: true, stores: { memory: { driver: 'memory', maxEntries: 10_000 } } })
 * CacheModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (c) => ({ ... }) })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [cacheManagerProvider, CacheService, CacheDecoratorRuntime, CacheableExplorer],
  exports: [CacheManager, CacheService, CacheDecoratorRuntime],
})
export class CacheModule extends ConfigurableModuleClass implements NestModule, OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CacheManager) private readonly manager: CacheManager,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    super();
  }

  static forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    const names = Object.keys(options.stores ?? DEFAULT_STORES);
    return withStores(super.forRoot(options), [...names, ...(options.storeNames ?? [])]);
  }

  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withStores(super.forRootAsync(options), options.storeNames ?? []);
  }

  /**
   * A `cache.memo()` scope per HTTP request (free until some code asks for a memo): a Fastify
   * hook or an Express app-level middleware, installed here because Nest calls `configure` in
   * `app.init()` before it registers routes; a Nest middleware only on other adapters.
   */
  configure(consumer: MiddlewareConsumer): void {
    if (!openRequestMemoScopes(this.adapterHost.httpAdapter)) consumer.apply(requestMemoMiddleware).forRoutes('*');
  }

  /** Fails start-up when one of this app's classes injects a store that is not configured. */
  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const type = wrapper.metatype as unknown;
      if (typeof type !== 'function') continue;
      for (const token of injectedTokens(type)) {
        if (typeof token !== 'string' || !token.startsWith(CACHE_STORE_TOKEN_PREFIX)) continue;
        const name = token.slice(CACHE_STORE_TOKEN_PREFIX.length);
        if (!this.manager.hasStore(name)) {
          const where = `${(type as { name: string }).name} injects @InjectCache(${JSON.stringify(name)})`;
          throw new CacheStoreNotFoundError(name, this.manager.stores(), where);
        }
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    stopTelemetry(this.manager);
    await this.manager.close();
  }
}

function withStores(module: DynamicModule, names: string[]): DynamicModule {
  const providers = [...storeProviders(names), ...otherCopyAliases()];
  return {
    ...module,
    providers: [...(module.providers ?? []), ...providers],
    exports: [...(module.exports ?? []), ...providers.map((p) => (p as { provide: string }).provide)],
  };
}

/** Tokens a class asks for through `@Inject` on constructor parameters and properties. */
function injectedTokens(type: unknown): unknown[] {
  const params = (Reflect.getMetadata('self:paramtypes', type as object) ?? []) as { param: unknown }[];
  const props = (Reflect.getMetadata('self:properties_metadata', type as object) ?? []) as { type: unknown }[];
  return [...params.map((p) => p.param), ...props.map((p) => p.type)];
}

export type { CacheModuleExtras };
