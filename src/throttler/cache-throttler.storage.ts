import type { ThrottlerStorage } from '@nestjs/throttler';
import type { CacheApi } from '../core/cache-api';
import { CacheArgumentError, CacheError, CacheTimeoutError, CacheUnavailableError } from '../core/cache.errors';
import type { LockSite } from '../core/locks/cache-lock';
import { throttleOnStore } from '../core/locks/rate-limit';
import { throttleHitProblem, type ThrottleHit, type ThrottleResult } from '../core/locks/throttle-step';
import { countInWindows } from './throttler-windows';

/** What `ThrottlerStorage.increment` resolves (the throttler's own record shape and units). */
export interface CacheThrottlerRecord {
  /** Hits counting now (over `limit` when blocked). */
  totalHits: number;
  /** Seconds until the current window ends. */
  timeToExpire: number;
  /** Whether this caller is over the limit. */
  isBlocked: boolean;
  /** Seconds until the block ends (0 when not blocked). */
  timeToBlockExpire: number;
}

/** Options of `new CacheThrottlerStorage(cache, options)`. */
export interface CacheThrottlerStorageOptions {
  /**
   * What a hit answers while the store is unreachable (the failure is logged and counted as a
   * store error either way): `'allow'` lets the request through (fail open: a cache outage
   * never takes the app down), `'block'` refuses it with 429 (fail closed: for limits that
   * guard against abuse, such as login attempts).
   * @default 'allow'
   */
  whenUnavailable?: 'allow' | 'block';
}

/**
 * An `@nestjs/throttler` storage on a cachekit store, so every instance behind a load balancer
 * counts against one limit, with the rules of the throttler's built-in storage (hits expire one
 * by one after `ttl`; a caller over the limit is blocked for `blockDuration`, uncounted; the first
 * hit after the block counts afresh). Each hit is one atomic step: one Lua script on Redis (single,
 * Cluster, Sentinel), one transaction on PostgreSQL, one step under the per-key mutex on the file
 * store, synchronous on memory, on L2 for two-tier stores. Other stores count with several round
 * trips (see docs/locks.md). Records live under the cache's prefix, apart from its keys.
 *
 * @example
 * ThrottlerModule.forRootAsync({
 *   inject: [CacheManager],
 *   useFactory: (cache: CacheManager) => ({
 *     throttlers: [{ ttl: 60_000, limit: 100 }],
 *     storage: new CacheThrottlerStorage(cache.store('redis')),
 *   }),
 * })
 */
export class CacheThrottlerStorage implements ThrottlerStorage {
  private readonly site: LockSite;
  private readonly failClosed: boolean;

  constructor(
    private readonly cache: CacheApi,
    options: CacheThrottlerStorageOptions = {},
  ) {
    if (!cache || typeof (cache as Partial<CacheApi>).lock !== 'function') {
      throw new CacheArgumentError('CacheThrottlerStorage needs a Cache (for example manager.store("redis"))');
    }
    const { whenUnavailable = 'allow' } = options ?? {};
    if (whenUnavailable !== 'allow' && whenUnavailable !== 'block') {
      throw new CacheArgumentError(
        `Invalid whenUnavailable option of CacheThrottlerStorage: expected 'allow' or 'block', got ${JSON.stringify(whenUnavailable)}`,
      );
    }
    this.failClosed = whenUnavailable === 'block';
    // The store, namespace and clock of the cache, as its locks see them.
    this.site = cache.lock('throttler').site;
  }

  /**
   * Counts one hit of `key` for `throttlerName`.
   * @param ttl how long a hit counts, in milliseconds (the throttler's unit)
   * @param blockDuration block length in milliseconds once over `limit` (0: until the oldest hit expires)
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<CacheThrottlerRecord> {
    const hit: ThrottleHit = { ttlMs: ttl, limit, blockMs: blockDuration };
    const problem =
      typeof key === 'string' && key.length > 0 ? throttleHitProblem(hit) : 'key must be a non-empty string';
    if (problem) throw new CacheArgumentError(`Invalid hit of throttler "${throttlerName}": ${problem}`);
    const id = `${throttlerName}:${key}`;
    let result: ThrottleResult | undefined;
    try {
      result = await throttleOnStore(this.site, id, hit);
    } catch (err) {
      if (!isOutage(err)) throw err;
      this.site.report('throttle', err);
      return this.unavailable(hit);
    }
    if (!result) {
      try {
        result = await countInWindows(this.cache, id, hit);
      } catch (err) {
        if (!isOutage(err)) throw err;
        return this.unavailable(hit); // the cache has logged and counted it
      }
    }
    return {
      totalHits: result.totalHits,
      timeToExpire: seconds(result.expiresInMs),
      isBlocked: result.isBlocked,
      timeToBlockExpire: result.isBlocked ? seconds(result.blockExpiresInMs) : 0,
    };
  }

  /** The answer while the store is down: let through, or refuse for a window. */
  private unavailable(hit: ThrottleHit): CacheThrottlerRecord {
    const timeToExpire = seconds(hit.ttlMs);
    if (!this.failClosed) return { totalHits: 0, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    const timeToBlockExpire = seconds(hit.blockMs > 0 ? hit.blockMs : hit.ttlMs);
    return { totalHits: hit.limit + 1, timeToExpire, isBlocked: true, timeToBlockExpire };
  }
}

/** A store failure (unreachable, timed out, an I/O error), not the caller's or the configuration's. */
function isOutage(err: unknown): boolean {
  return err instanceof CacheUnavailableError || err instanceof CacheTimeoutError || !(err instanceof CacheError);
}

/** Whole seconds, rounded up as the throttler's built-in storage reports them. */
function seconds(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0;
}
