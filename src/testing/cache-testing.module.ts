import {
  Inject,
  Module,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { CacheManager } from '../core/cache-manager';
import { putOwn } from '../core/own-record';
import { DEFAULT_STORES } from '../config/cache-options';
import { CACHE_MODULE_OPTIONS } from '../nest/cache.module-definition';
import { CacheModule } from '../nest/cache.module';
import { CacheService } from '../nest/cache.service';
import { recordedStoreNames } from '../nest/cache.tokens';
import { createFakeCache, FakeCache, type FakeCacheOptions } from './fake-cache';

/** Options of {@link CacheTestingModule.forRoot}: those of `CacheModule.forRoot`, every store a fake. */
export interface CacheTestingModuleOptions extends FakeCacheOptions {
  /**
   * Register the module globally, as `CacheModule.forRoot({ isGlobal: true })` does.
   * @default false
   */
  isGlobal?: boolean;
  /** More store names to provide as `@InjectCache(name)` tokens. */
  storeNames?: string[];
}

/**
 * A drop-in for `CacheModule` in tests. It provides everything `CacheModule` provides
 * (`CacheService`, `CacheManager`, every `@InjectCache(name)` store, the decorators'
 * machinery), backed by one {@link FakeCache}, itself injectable as `FakeCache`. Every store is
 * in memory whatever its configured driver, and a store injected with `@InjectCache(name)`
 * exists even if the options do not name it.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [CacheTestingModule.forRoot({ clock })],
 *   providers: [UsersService],
 * }).compile();
 * const cache = moduleRef.get(FakeCache);
 *
 * @example
 * Test.createTestingModule({ imports: [AppModule] })
 *   .overrideModule(CacheModule)
 *   .useModule(CacheTestingModule.forRoot({ isGlobal: true }))
 */
@Module({})
export class CacheTestingModule implements OnApplicationShutdown {
  constructor(@Inject(FakeCache) private readonly fake: FakeCache) {}

  static forRoot(options: CacheTestingModuleOptions = {}): DynamicModule {
    const { isGlobal = false, storeNames = [], ...fakeOptions } = options;
    const names = Array.isArray(fakeOptions.stores)
      ? [...(fakeOptions.stores as readonly string[])]
      : Object.keys(fakeOptions.stores ?? DEFAULT_STORES);
    // Mirror what the real module provides, so whatever CacheModule wires up (the decorators'
    // explorer, store tokens, its options) is here too; only the manager and service change.
    const real = CacheModule.forRoot({ storeNames: [...names, ...storeNames] });
    const replaced = new Set<unknown>([CacheManager, CacheService, CACHE_MODULE_OPTIONS]);
    const keep = (p: Provider) => !replaced.has(tokenOf(p));
    const staticProviders = (Reflect.getMetadata('providers', CacheModule) ?? []) as Provider[];
    const staticImports = (Reflect.getMetadata('imports', CacheModule) ?? []) as DynamicModule['imports'];
    const staticExports = (Reflect.getMetadata('exports', CacheModule) ?? []) as InjectionToken[];
    const providers: Provider[] = [
      ...staticProviders.filter(keep),
      ...(real.providers ?? []).filter(keep),
      {
        provide: FakeCache,
        useFactory: () =>
          createFakeCache({
            ...fakeOptions,
            // Every name this process injects gets a store, so `@InjectCache('redis')` just works.
            stores: fakeStores(fakeOptions.stores, [...storeNames, ...recordedStoreNames]),
          }),
      },
      { provide: CacheManager, useFactory: (fake: FakeCache) => fake.manager, inject: [FakeCache] },
      { provide: CacheService, useExisting: FakeCache },
      {
        provide: CACHE_MODULE_OPTIONS,
        useFactory: (fake: FakeCache) => ({ ...fakeOptions, default: fake.manager.defaultStoreName }),
        inject: [FakeCache],
      },
    ];
    const exports = [...new Set([...staticExports, ...(real.exports ?? []), FakeCache, CacheManager, CacheService])];
    return {
      module: CacheTestingModule,
      global: isGlobal,
      imports: [...(staticImports ?? []), ...(real.imports ?? [])],
      providers,
      exports: exports as DynamicModule['exports'],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.fake.manager.close();
  }
}

function tokenOf(provider: Provider): unknown {
  return typeof provider === 'function' ? provider : (provider as { provide: unknown }).provide;
}

/** The configured stores plus a plain fake store for every other name. */
function fakeStores(stores: FakeCacheOptions['stores'], extra: string[]): NonNullable<FakeCacheOptions['stores']> {
  const base: Record<string, object> = Array.isArray(stores)
    ? Object.fromEntries((stores as readonly string[]).map((n) => [n, {}]))
    : { ...((stores as Record<string, object> | undefined) ?? DEFAULT_STORES) };
  // Own entries only, and defined, not assigned: "toString" or "__proto__" are store names too.
  for (const name of extra) if (!Object.hasOwn(base, name)) putOwn(base, name, {});
  return base;
}
