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
