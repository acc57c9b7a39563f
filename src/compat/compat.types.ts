import type { EventEmitter } from 'node:events';
import type { ConfigurableModuleAsyncOptions, Provider, Type } from '@nestjs/common';
import type { CacheableLike, KeyvLike, KeyvStoreAdapterLike } from '../stores/keyv/keyv.types';

/** One entry of `stores`: a Keyv instance, a Keyv store adapter or a `cacheable` instance (typed by shape). */
export type CompatStore = KeyvLike | KeyvStoreAdapterLike | CacheableLike;

/**
 * What `cache.stores` lists: the Keyv or `cacheable` instances you passed, as they are; for a raw
 * adapter (and the default memory store) a Keyv-shaped view whose `store` is the adapter. Typed
 * with the Keyv members code written for upstream reaches for (`iterator`, `on`, `getRaw`,
 * `namespace`…); `store` is `unknown`: cast it to your adapter (`stores[1].store as KeyvRedis<string>`).
 */
export interface CompatStoreView {
  /** The Keyv namespace (the key prefix of a raw adapter). */
  namespace?: string | undefined;
  /** The adapter underneath (a Keyv instance's own `store`). */
  store?: unknown;
  get<T = unknown>(key: string): Promise<T | undefined>;
  getMany<T = unknown>(keys: string[]): Promise<Array<T | undefined>>;
  /** The value and its absolute expiry (epoch ms; none: never expires), or `undefined` when missing. */
  getRaw<T = unknown>(key: string): Promise<{ value?: T; expires?: number } | undefined>;
  set<T = unknown>(key: string, value: T, ttl?: number): Promise<boolean>;
  delete(key: string | string[]): Promise<boolean>;
  clear(): Promise<void>;
  has(key: string): Promise<boolean>;
  disconnect(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Lists `[key, value]` pairs where the store can (Keyv instances over an adapter that iterates). */
  iterator?: (namespace?: unknown) => AsyncGenerator<[string, unknown] | unknown[], void>;
}

/** Options of `cache.wrap`. `ttl` and `refreshThreshold` in ms, or functions of the value. */
export interface WrapOptions<T> {
  ttl?: number | ((value: T) => number);
  refreshThreshold?: number | ((value: T) => number);
}
/** `wrap` options resolving the entry with its expiry. */
export interface WrapOptionsRaw<T> extends WrapOptions<T> {
  raw: true;
}
/** A raw entry: the value and its absolute expiry (epoch ms; `undefined`: never). */
export interface StoredDataRaw<T> {
  value?: T;
  expires?: number;
}

/** The events of the cache manager, with upstream's payloads. */
export interface Events {
  get: <T>(data: { key: string; value?: T; error?: unknown; store?: string }) => void;
  mget: <T>(data: { keys: string[]; values?: T[]; error?: unknown }) => void;
  set: <T>(data: { key: string; value: T; error?: unknown; store?: string }) => void;
  mset: <T>(data: { list: Array<{ key: string; value: T; ttl?: number }>; error?: unknown }) => void;
  del: (data: { key: string; error?: unknown }) => void;
  mdel: (data: { keys: string[]; error?: unknown }) => void;
  clear: (error?: unknown) => void;
  refresh: <T>(data: { key: string; value: T; error?: unknown }) => void;
}

/** The cache manager's API (cache-manager 7's `Cache`): every TTL in milliseconds. */
export interface CacheManagerApi {
  /** The value, or `undefined` on a miss; stores are asked in order. */
  get: <T>(key: string) => Promise<T | undefined>;
  /** Values aligned with `keys`, `undefined` for misses. */
  mget: <T>(keys: string[]) => Promise<Array<T | undefined>>;
  /** The **absolute** expiry time in epoch ms; `undefined` when missing or never expiring. */
  ttl: (key: string) => Promise<number | undefined>;
  /** Writes every store; resolves the value. `ttl` in ms, `0`: never expires. */
  set: <T>(key: string, value: T, ttl?: number) => Promise<T>;
  /** Writes many; resolves the list with each `ttl` defaulted to the module's. */
  mset: <T>(
    list: Array<{ key: string; value: T; ttl?: number }>,
  ) => Promise<Array<{ key: string; value: T; ttl?: number }>>;
  /** Removes a key from every store; resolves `true`. */
  del: (key: string) => Promise<boolean>;
  /** Removes keys from every store; resolves `true`. */
  mdel: (keys: string[]) => Promise<boolean>;
  /** Removes this cache's keys (its namespace) from every store; resolves `true`. */
  clear: () => Promise<boolean>;
  on: <E extends keyof Events>(event: E, listener: Events[E]) => EventEmitter;
  off: <E extends keyof Events>(event: E, listener: Events[E]) => EventEmitter;
  /** Disconnects every store. */
  disconnect: () => Promise<undefined>;
  /** `cacheId` from the options, else a random id. */
  cacheId: () => string;
  /** The underlying Keyv / `cacheable` objects. */
  stores: CompatStoreView[];
  /**
   * The cached value, or `fnc`'s result stored for `ttl` ms. Concurrent calls for one key share one
   * `fnc` run; below `refreshThreshold` ms of life left, returns the cached value and refreshes it
   * in the background.
   */
  wrap<T>(
    key: string,
    fnc: () => T | Promise<T>,
    ttl?: number | ((value: T) => number),
    refreshThreshold?: number | ((value: T) => number),
  ): Promise<T>;
  wrap<T>(key: string, fnc: () => T | Promise<T>, options: WrapOptions<T>): Promise<T>;
  wrap<T>(key: string, fnc: () => T | Promise<T>, options: WrapOptionsRaw<T>): Promise<StoredDataRaw<T>>;
}

/** Options of the cache manager (`CacheModule.register`). Every duration in **milliseconds**. */
export interface CacheManagerOptions {
  /** One store or an ordered list (first = nearest). Default: one in-process memory store. */
  stores?: CompatStore | CompatStore[];
  /** Key namespace applied to raw Keyv adapters. @default 'keyv' */
  namespace?: string;
  /** Default TTL in ms; `0` or none: never expires. */
  ttl?: number;
  /** `wrap`: below this many ms of life left, a hit is refreshed in the background. */
  refreshThreshold?: number;
  /** `wrap` refreshes write every store (default: those up to the one that answered). */
  refreshAllStores?: boolean;
  /** Reads take the first store to answer; writes are not awaited. @default false */
  nonBlocking?: boolean;
  /** What `cacheId()` returns. @default a random id */
  cacheId?: string;
}

/** Options, plus any extra keys (accepted for compatibility; legacy ones are warned about). */
export type CacheOptions<StoreConfig extends object = Record<string, unknown>> = CacheManagerOptions & StoreConfig;

/** `CacheModule.register` options. */
export type CacheModuleOptions<StoreConfig extends object = Record<string, unknown>> = CacheOptions<StoreConfig> & {
  /** Register the module globally. */
  isGlobal?: boolean;
};

/** A class providing the options for `registerAsync({ useClass | useExisting })`. */
export interface CacheOptionsFactory<StoreConfig extends object = Record<string, unknown>> {
  createCacheOptions(): Promise<CacheOptions<StoreConfig>> | CacheOptions<StoreConfig>;
}

/** `CacheModule.registerAsync` options. */
export interface CacheModuleAsyncOptions<
  StoreConfig extends object = Record<string, unknown>,
> extends ConfigurableModuleAsyncOptions<CacheOptions<StoreConfig>, keyof CacheOptionsFactory> {
  useExisting?: Type<CacheOptionsFactory<StoreConfig>>;
  useClass?: Type<CacheOptionsFactory<StoreConfig>>;
  /** Extra providers registered in the module's scope. */
  extraProviders?: Provider[];
  /** Register the module globally. */
  isGlobal?: boolean;
}
