import type { Cache } from './cache';
import type { CacheEvents } from './cache.events';
import type { Clock } from './clock';
import type { OperationMeter } from './operation-meter';
import type { BurstLogger } from './logger';
import type { CacheStore } from './store.types';
import type { Ttl } from './ttl';

/** Options of `remember` (and of the decorators that use it). */
export interface RememberOptions {
  /**
   * After `ttl`, keep serving the old value for this long while one background refresh runs.
   * If the refresh fails, the stale value keeps being served until `staleTtl` ends.
   */
  staleTtl?: Ttl;
  /**
   * Take a cross-process lease before running the loader, so that concurrent callers in other
   * processes wait for this one instead of running the loader too.
   * @default the store's `lock` setting (false)
   */
  lock?: boolean;
  /** How long a waiter waits for the lock holder before running the loader itself. @default '10s' */
  lockTimeout?: Ttl;
  /** Lease length; renewed while the loader runs. @default '30s' */
  lockTtl?: Ttl;
  /** Shorten the TTL by up to this fraction (0–1) at random, so keys written together do not expire together. */
  jitter?: number;
}

/** Counters of one store. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before any read. */
  hitRatio: number;
  writes: number;
  deletes: number;
  evictions: number;
  errors: number;
  staleHits: number;
  /** Entries held (memory and file stores). */
  entries?: number;
  /** Estimated bytes held (memory store with `maxBytes`, file store). */
  bytes?: number;
}

/** Health of one store. */
export interface StoreHealth {
  status: 'up' | 'down' | 'degraded';
  latencyMs: number;
  error?: string;
}

export type HealthReport = Record<string, StoreHealth>;

/** What a Cache needs from its manager and configuration. */
export interface CacheSettings {
  name: string;
  namespace: string;
  store: CacheStore;
  /** Default TTL in ms; `undefined` means entries never expire by default. */
  defaultTtlMs?: number;
  /** Default for `RememberOptions.lock`. */
  lock?: boolean;
  clock: Clock;
  errorLog: BurstLogger;
  events: CacheEvents;
  /** Per-operation counting for metrics exporters (inactive until subscribed to). */
  meter: OperationMeter;
  resolve(name: string): Cache;
  /** Health of the whole manager (used by the default cache's `health()`). */
  healthAll?(): Promise<HealthReport>;
}

/**
 * The TTL argument of `forever` and `rememberForever`: never expires, whatever the defaults.
 * A value, not a type, but shared by `Cache` and `TaggedCache` like the types above.
 */
export const FOREVER: unique symbol = Symbol.for('nestjs-cachekit:forever');
export type TtlArg = Ttl | typeof FOREVER | undefined;
