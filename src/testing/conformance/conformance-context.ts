import type { Cache } from '../../core/cache';
import type { CacheManager } from '../../core/cache-manager';

/**
 * A test or hook body. Always async, so that the framework functions of Jest (`() => PromiseLike`),
 * Vitest and node:test (`void | Promise<void>`) accept it as their own types stand.
 */
type Fn = () => Promise<void>;
type Hook = (fn: Fn) => void;

/** The test-framework functions the suite needs. Jest, Vitest and node:test all fit. */
export interface ConformanceFramework {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Fn, timeout?: number): void;
  beforeEach: Hook;
  afterEach: Hook;
}

export interface ConformanceOptions extends Partial<ConformanceFramework> {
  /**
   * The store's expiry follows the server's clock (Redis), not `ctx.clock`: TTL tests then use
   * short TTLs and real waits instead of a manual clock.
   * @default false
   */
  realTime?: boolean;
  /** Whether `set` isolates values from later mutation of the given object. @default true */
  isolates?: boolean;
  /**
   * Whether two stores made by the factory share one backend (Redis, a directory), so that
   * prefix isolation of `clear()` can be checked across them.
   * @default false
   */
  sharedBackend?: boolean;
  /**
   * Whether to run the lock section (`cache.lock` from two caches over the store: exclusivity,
   * owner-checked release, `restoreLock`, `forceRelease`, expiry). A store that cannot lock fails
   * it with "this store cannot lock"; pass `false` for a store you do not use for locks.
   * @default true
   */
  locks?: boolean;
  /** Called after each test to release what the factory made (servers are the caller's). */
  cleanup?: () => unknown;
}

/** What each test gets; set afresh before each test. */
export interface ConformanceContext {
  cache: Cache;
  manager: CacheManager;
  /** Moves time forward (ms): the manual clock, or a real wait for real-time stores. */
  advance(ms: number): Promise<void>;
  /** A second cache on a store from the same factory, with another prefix. */
  neighbour(): Promise<Cache>;
  /**
   * A second, independent cache (its own manager, so its own in-process single-flight) over the
   * **same store instance** and prefix as `cache`, as another process would see it: whatever two
   * twins agree on, the store did.
   */
  twin(): Promise<Cache>;
  /**
   * A second cache over the **same store instance** as `cache` with another prefix (one store
   * object handed to two managers): `clear()` of either must keep the other's keys.
   */
  sharer(): Promise<Cache>;
}

/** One group of cases: registers its `it`s. */
export type ConformanceCase = (fw: ConformanceFramework, ctx: ConformanceContext, options: ConformanceOptions) => void;
