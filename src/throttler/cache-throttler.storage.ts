import type { ThrottlerStorage } from '@nestjs/throttler';
import type { CacheApi } from '../core/cache-api';
import { CacheArgumentError } from '../core/cache.errors';

/** What `ThrottlerStorage.increment` resolves (the throttler's own record shape and units). */
export interface CacheThrottlerRecord {
  /** Hits counted in the current window (over `limit` when blocked). */
  totalHits: number;
  /** Seconds until the current window ends. */
  timeToExpire: number;
  /** Whether this caller is over the limit. */
  isBlocked: boolean;
  /** Seconds until the block ends (0 when not blocked). */
  timeToBlockExpire: number;
}

/**
 * An `@nestjs/throttler` storage on a cachekit store, so every instance behind a load balancer
 * counts against one limit: hits are an atomic `increment` (atomic across processes on Redis,
 * Postgres and file stores; in-process on memory), the block an atomic `add`.
 *
 * Windows are fixed (they start at a key's first hit and last `ttl`); a caller over the limit is
 * blocked for `blockDuration` (the throttler defaults it to `ttl`) and stays blocked while its
 * window is still over the limit. Keys live under `throttler:` in the store's prefix.
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
  constructor(private readonly cache: CacheApi) {
    if (!cache || typeof (cache as Partial<CacheApi>).increment !== 'function') {
      throw new CacheArgumentError('CacheThrottlerStorage needs a Cache (for example manager.store("redis"))');
    }
  }

  /**
   * Counts one hit of `key` for `throttlerName`.
   * @param ttl window length in milliseconds (the throttler's unit)
   * @param blockDuration block length in milliseconds once over `limit` (0: no block beyond the window)
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<CacheThrottlerRecord> {
    const hitsKey = `throttler:${throttlerName}:${key}`;
    const blockKey = `${hitsKey}:blocked`;
    if (blockDuration > 0) {
      const blockLeft = await this.cache.ttl(blockKey);
      if (blockLeft !== undefined) {
        const windowLeft = await this.cache.ttl(hitsKey);
        return {
          totalHits: limit + 1,
          timeToExpire: seconds(windowLeft ?? 0),
          isBlocked: true,
          timeToBlockExpire: seconds(blockLeft),
        };
      }
    }
    const totalHits = await this.cache.increment(hitsKey, 1, ttl / 1000);
    const timeToExpire = seconds((await this.cache.ttl(hitsKey)) ?? ttl / 1000, ttl / 1000);
    if (totalHits <= limit) return { totalHits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    if (blockDuration <= 0) return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire: timeToExpire };
    await this.cache.add(blockKey, 1, blockDuration / 1000);
    const blockLeft = await this.cache.ttl(blockKey);
    const timeToBlockExpire = seconds(blockLeft ?? blockDuration / 1000, blockDuration / 1000);
    return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire };
  }
}

/** Whole seconds, rounded up as the throttler's built-in storage reports them, never over `max`. */
function seconds(s: number, max = Infinity): number {
  return Number.isFinite(s) ? Math.max(0, Math.min(Math.ceil(s), Math.ceil(max))) : 0;
}
