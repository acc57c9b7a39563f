import { optionKeys } from '../core/option-checks';
import type { StoreContext, CacheStore } from '../core/store.types';
import { FILE_STORE_KEYS } from '../stores/file/file-store.options';
import { FileStore } from '../stores/file/file.store';
import { MEMORY_STORE_KEYS } from '../stores/memory/memory-store.options';
import { KeyvStore, type KeyvStoreOptions } from '../stores/keyv/keyv.store';
import { MemoryStore } from '../stores/memory/memory.store';
import { REDIS_TARGET_KEYS, type RedisStoreOptions } from '../stores/redis/redis-store.options';
import { POSTGRES_STORE_KEYS } from '../stores/postgres/postgres-store.options';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { RedisStore } from '../stores/redis/redis.store';
import { createTieredStore } from '../stores/tiered/create-tiered-store';
import type { TieredStoreOptions } from '../stores/tiered/tiered-store.options';
import type { CommonStoreOptions, StoreConfig } from './cache-options';

/** Builds a built-in store from its configuration. */
export type DriverFactory = (config: StoreConfig, context: StoreContext) => CacheStore;

/** The driver's own options: what is left once the options the core handles are taken out. */
function own<D extends StoreConfig['driver']>(config: StoreConfig): Omit<Extract<StoreConfig, { driver: D }>, Common> {
  const {
    driver: _d,
    ttl: _t,
    prefix: _p,
    lock: _l,
    maxValueBytes: _m,
    ...options
  } = config as StoreConfig & CommonStoreOptions;
  return options as Omit<Extract<StoreConfig, { driver: D }>, Common>;
}
type Common = 'driver' | keyof CommonStoreOptions;

/** The built-in drivers by name. Each store file registers one line here. */
export const builtInDrivers: Record<string, DriverFactory> = {
  memory: (config, ctx) => new MemoryStore(own<'memory'>(config), ctx.clock, ctx.name, ctx.onEvict),
  file: (config, ctx) => new FileStore(own<'file'>(config), ctx),
  redis: (config, ctx) => new RedisStore(own<'redis'>(config), ctx),
  tiered: (config, ctx) => createTieredStore(own<'tiered'>(config), ctx),
  keyv: (config, ctx) => new KeyvStore(own<'keyv'>(config), ctx),
  postgres: (config, ctx) => new PostgresStore(own<'postgres'>(config), ctx),
};

/**
 * The option keys of each built-in driver, beside {@link COMMON_STORE_KEYS}: a key outside both
 * is a `CacheConfigError` with the closest known key. Each list is complete by type.
 */
export const builtInDriverKeys: Record<string, readonly string[]> = {
  memory: MEMORY_STORE_KEYS,
  file: FILE_STORE_KEYS,
  redis: optionKeys<RedisStoreOptions>()([
    ...REDIS_TARGET_KEYS,
    'lazyConnect',
    'requireOnStartup',
    'connectTimeout',
    'serializer',
    'scanCount',
    'compress',
    'encrypt',
    'hashKeys',
  ]),
  tiered: optionKeys<TieredStoreOptions>()(['tiers', 'l1Ttl', 'bus', 'requireOnStartup', 'connectTimeout']),
  keyv: optionKeys<KeyvStoreOptions>()(['store', 'serializer', 'timeout', 'disconnect']),
  postgres: POSTGRES_STORE_KEYS,
};
