import type { CacheEvents } from './cache.events';
import type { Clock } from './clock';
import type { BurstLogger } from './logger';
import type { OperationMeter } from './operation-meter';
import type { CacheStore } from './store.types';

/**
 * What a Cache needs from its manager and configuration (internal). `C` is the cache type
 * `resolve` hands out, so that this file need not import the Cache class (no import cycle).
 */
export interface CacheSettings<C = unknown> {
  name: string;
  namespace: string;
  /**
   * The store is this cache's alone and holds only keys that passed the key checks (a memory
   * store): `get` looks a plain key up as it is, and checks it only on a miss (CacheKeys.get).
   */
  ownKeys?: boolean;
  store: CacheStore;
  /** Default TTL in ms; `undefined` means entries never expire by default. */
  defaultTtlMs?: number;
  /** Default for `RememberOptions.lock`. */
  lock?: boolean;
  /** Largest serialized entry a write may store (`maxValueBytes`); `undefined`: no limit. */
  maxValueBytes?: number;
  clock: Clock;
  errorLog: BurstLogger;
  events: CacheEvents;
  /** Per-operation counting for metrics exporters (inactive until subscribed to). */
  meter: OperationMeter;
  resolve(name: string): C;
  /** Receives the function that reports this cache's evictions (the manager wires its store's `onEvict` to it). */
  evictions?(report: (k: string) => void): void;
}
