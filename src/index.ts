export * from './core/cache.errors';
export { Cache } from './core/cache';
export type { CacheStats, HealthReport, RememberOptions, StoreHealth } from './core/cache.types';
export { TaggedCache } from './core/tagged-cache';
export { CacheManager } from './core/cache-manager';
export type { StoreFactory } from './core/cache-manager';
export type { RegisterStoreOptions } from './core/register-store-options';
export type {
  CacheApi,
  CacheEntries,
  CacheFallback,
  StatsReport,
  SyncCache,
  SyncRememberOptions,
  TaggedCacheApi,
} from './core/cache-api';
export type { SyncStore } from './core/sync-store';
export type { SeedVocabularyStore } from './core/seed-store';
export { Lock } from './core/locks/cache-lock';
export type { LockOptions } from './core/locks/cache-lock';
export { CacheFunnel } from './core/locks/cache-funnel';
export type { FunnelOptions } from './core/locks/cache-funnel';
export { throttleStep } from './core/locks/throttle-step';
export type { ThrottleHit, ThrottleRecord, ThrottleResult, ThrottleStepOutcome } from './core/locks/throttle-step';
export { CACHE_DIAGNOSTICS_CHANNEL } from './core/cache.events';
export type { CacheEvent, CacheEventListener, CacheEventType } from './core/cache.events';
export type { Clock } from './core/clock';
export { normalizeKey, MAX_KEY_BYTES } from './core/keys';
export type { CacheLogger } from './core/logger';
export { UnreadableEntry } from './core/store-access/unreadable-entry';
export { getWithTagsByGetMany } from './core/tags/get-with-tags';
export type { CacheStore, StoreContext, StoreEntry, StoreHealthDetail, StoreStats } from './core/store.types';
export { computeExpiry, computeExpiryMs, parseTtl, remainingTtl, remainingTtlMs } from './core/ttl';
export type { MsOrDuration, Ttl } from './core/ttl';
export type { ByteSize } from './core/byte-size';
export { defaultSerializer } from './core/serializer';
export type { CacheSerializer } from './core/serializer';
export { createCacheManager, DEFAULT_PREFIX } from './config/create-cache-manager';
export { FileStore } from './stores/file/file.store';
export type { FileStoreOptions } from './stores/file/file.store';
export { MemoryStore } from './stores/memory/memory.store';
export type { MemoryIsolation, MemoryStoreOptions } from './stores/memory/memory-store.options';
export { RedisStore } from './stores/redis/redis.store';
export type { RedisStoreContext } from './stores/redis/redis.store';
export type {
  RedisClientLike,
  RedisClusterConfig,
  RedisConnectionOptions,
  RedisNodeAddress,
  RedisSentinelConfig,
  RedisStoreOptions,
  RedisTarget,
} from './stores/redis/redis-store.options';
export { KeyvStore } from './stores/keyv/keyv.store';
export type { KeyvStoreContext, KeyvStoreOptions } from './stores/keyv/keyv.store';
export type { KeyvLike, KeyvStoreAdapterLike, KeyvStoreTarget } from './stores/keyv/keyv.types';
export { PostgresStore } from './stores/postgres/postgres.store';
export type { PostgresStoreContext } from './stores/postgres/postgres.store';
export type { PgConnectionOptions, PgQueryable, PostgresStoreOptions } from './stores/postgres/postgres-store.options';
export { TieredStore } from './stores/tiered/tiered.store';
export type { TieredStoreTiers } from './stores/tiered/tiered.store';
export type { TieredStoreOptions } from './stores/tiered/tiered-store.options';
export { RedisBus } from './stores/redis/redis.bus';
export type { TieredBusOptions } from './stores/redis/redis.bus';
export type { BusListener, InvalidationBus } from './stores/tiered/invalidation-bus';
export type {
  CacheManagerOptions,
  CommonStoreOptions,
  CustomStoreConfig,
  FileStoreConfig,
  KeyvStoreConfig,
  MemoryStoreConfig,
  PostgresStoreConfig,
  RedisStoreConfig,
  StoreConfig,
  TieredStoreConfig,
} from './config/cache-options';
export { CacheModule } from './nest/cache.module';
export type { CacheModuleExtras, CacheModuleOptions } from './nest/cache.module-definition';
export type { CacheTelemetryOptions } from './nest/cache-telemetry';
export { CacheService } from './nest/cache.service';
export { getCacheToken, InjectCache } from './nest/cache.tokens';
export { Cacheable } from './nest/decorators/cacheable.decorator';
export type { CacheableOptions } from './nest/interfaces/cacheable-options.interface';
export { CacheEvict } from './nest/decorators/cache-evict.decorator';
export type { CacheEvictOptions } from './nest/interfaces/cache-evict-options.interface';
export { CachePut } from './nest/decorators/cache-put.decorator';
export type { CachePutOptions } from './nest/interfaces/cache-put-options.interface';
export { CacheTags } from './nest/decorators/cache-tags.decorator';
export { CacheLock } from './nest/decorators/cache-lock.decorator';
export type { CacheLockName, CacheLockOptions } from './nest/interfaces/cache-lock-options.interface';
export type { CacheKeyFunction, CacheKeyOption } from './nest/keys/cache-key';
export { HttpCacheInterceptor } from './nest/http/http-cache.interceptor';
export { CacheDecoratorRuntime } from './nest/methods/cache-decorator.runtime';
export type { CacheDecoratorStats } from './nest/methods/cache-decorator.runtime';
