import type { ByteSize } from '../core/byte-size';
import type { Clock } from '../core/clock';
import { optionKeys } from '../core/option-checks';
import type { CacheLogger } from '../core/logger';
import type { SeedVocabularyStore } from '../core/seed-store';
import type { CacheStore, StoreContext } from '../core/store.types';
import type { Ttl } from '../core/ttl';
import type { FileStoreOptions } from '../stores/file/file.store';
import type { KeyvStoreOptions } from '../stores/keyv/keyv.store';
import type { MemoryStoreOptions } from '../stores/memory/memory.store';
import type { PostgresStoreOptions } from '../stores/postgres/postgres-store.options';
import type { RedisStoreOptions } from '../stores/redis/redis-store.options';
import type { TieredStoreOptions } from '../stores/tiered/tiered-store.options';

/** Options every store accepts. */
export interface CommonStoreOptions {
  /** Default TTL of this store; wins over the module's `ttl`. */
  ttl?: Ttl;
  /** Extra key prefix, joined to the module prefix with `:`. */
  prefix?: string;
  /**
   * Default for `remember(..., { lock })`: take a cross-process lease before running a loader.
   * @default false
   */
  lock?: boolean;
  /**
   * Largest value (as the default serializer writes it, in bytes) that `set`, `add`, `setMany`
   * and `remember` store; a larger one is a `CacheSerializationError` naming the key and nothing
   * is written. Unset: no limit (Redis still refuses values over its own 512 MB).
   * A number of bytes or a size string (1 kb = 1,024 bytes).
   * @example '1mb'
   */
  maxValueBytes?: ByteSize;
}

/** `driver: 'memory'`: a bounded in-process LRU. */
export interface MemoryStoreConfig extends CommonStoreOptions, MemoryStoreOptions {
  driver: 'memory';
}

/** `driver: 'file'`: one file per entry in a directory, shared safely by several processes. */
export interface FileStoreConfig extends CommonStoreOptions, FileStoreOptions {
  driver: 'file';
}

/** `driver: 'redis'`: Redis, Redis Cluster or Sentinel through ioredis (an optional peer). */
export interface RedisStoreConfig extends CommonStoreOptions, RedisStoreOptions {
  driver: 'redis';
}

/** `driver: 'postgres'`: a table in PostgreSQL through node-postgres (`pg`, an optional peer). */
export interface PostgresStoreConfig extends CommonStoreOptions, PostgresStoreOptions {
  driver: 'postgres';
}

/** `driver: 'tiered'`: a near store (L1) in front of a shared one (L2), coherent over Redis pub/sub. */
export interface TieredStoreConfig extends CommonStoreOptions, TieredStoreOptions {
  driver: 'tiered';
}

/**
 * `driver: 'keyv'`: any Keyv instance or Keyv store adapter (Mongo, SQLite, MySQL, Postgres, etcd,
 * Memcache, Redis…). `add`, `increment` and `touch` are not atomic across processes.
 */
export interface KeyvStoreConfig extends CommonStoreOptions, KeyvStoreOptions {
  driver: 'keyv';
}

/**
 * Any object implementing {@link CacheStore} (or, in the seed vocabulary, `get`/`put`/`forget`/
 * `flush`: see {@link SeedVocabularyStore}), or a factory receiving the store's context.
 */
export interface CustomStoreConfig extends CommonStoreOptions {
  driver: CacheStore | SeedVocabularyStore | ((context: StoreContext) => CacheStore | SeedVocabularyStore);
}

/** One entry of `stores`. */
export type StoreConfig =
  | MemoryStoreConfig
  | FileStoreConfig
  | RedisStoreConfig
  | PostgresStoreConfig
  | TieredStoreConfig
  | KeyvStoreConfig
  | CustomStoreConfig;

/** Options of `createCacheManager` and `CacheModule.forRoot`. */
export interface CacheManagerOptions {
  /**
   * Name of the default store (`CacheService`).
   * @default 'memory'
   */
  default?: string;
  /**
   * Namespace for every key, so apps sharing a Redis or a directory never see each other's keys.
   * @default 'cachekit'
   */
  prefix?: string;
  /** Default TTL of every store (seconds or `'10m'`); none configured means no expiry. */
  ttl?: Ttl;
  /**
   * The stores, by name.
   * @default { memory: { driver: 'memory' } }
   * @example { mem: { driver: 'memory', maxEntries: 10_000 }, redis: { driver: 'redis', url: 'redis://127.0.0.1:6379' } }
   */
  stores?: Record<string, StoreConfig>;
  /** Where errors and warnings go. The Nest module passes Nest's Logger (context `Cache`). */
  logger?: CacheLogger;
  /** Time source; tests pass a manual clock (`nestjs-cachekit/testing`). */
  clock?: Clock;
}

/** The stores used when `stores` is not given. Written once; the module and the testing fakes read it. */
export const DEFAULT_STORES: Readonly<Record<string, StoreConfig>> = Object.freeze({
  memory: Object.freeze({ driver: 'memory' }),
});

/** The name of the default store when `default` is not given and `stores` has a `memory` entry. */
export const DEFAULT_STORE_NAME = 'memory';

/** Every key of {@link CacheManagerOptions} (the unknown-key check; complete by type). */
export const CACHE_MANAGER_OPTION_KEYS = optionKeys<CacheManagerOptions>()([
  'default',
  'prefix',
  'ttl',
  'stores',
  'logger',
  'clock',
]);

/** The keys every store accepts besides its driver's own (complete by type). */
export const COMMON_STORE_KEYS = optionKeys<CommonStoreOptions & { driver: unknown }>()([
  'driver',
  'ttl',
  'prefix',
  'lock',
  'maxValueBytes',
]);
