// The throttler's fallback for stores without an atomic step (no `throttle` hook, no synchronous
// access: Keyv, custom stores): fixed windows counted with the cache API, 2–4 round trips per hit.
// Exact across processes where the store's `increment` and `add` are atomic; the rules differ
// from the built-in storage's (see docs/locks.md, "Shared rate limits").
import type { CacheApi } from '../core/cache-api';
import type { ThrottleHit, ThrottleResult } from '../core/locks/throttle-step';

/** One hit of `id` (`<throttler name>:<key>`) in fixed windows: an atomic counter and a block entry. */
export async function countInWindows(cache: CacheApi, id: string, hit: ThrottleHit): Promise<ThrottleResult> {
  const { ttlMs, limit, blockMs } = hit;
  const hitsKey = `throttler:${id}`;
  const blockKey = `${hitsKey}:blocked`;
  if (blockMs > 0) {
    const blockLeft = await cache.ttl(blockKey);
    if (blockLeft !== undefined) {
      const windowLeft = await cache.ttl(hitsKey);
      return {
        totalHits: limit + 1,
        expiresInMs: ms(windowLeft ?? 0),
        isBlocked: true,
        blockExpiresInMs: ms(blockLeft),
      };
    }
  }
  const totalHits = await cache.increment(hitsKey, 1, ttlMs / 1000);
  const expiresInMs = Math.min(ms((await cache.ttl(hitsKey)) ?? ttlMs / 1000), ttlMs);
  if (totalHits <= limit) return { totalHits, expiresInMs, isBlocked: false, blockExpiresInMs: 0 };
  if (blockMs <= 0) return { totalHits, expiresInMs, isBlocked: true, blockExpiresInMs: expiresInMs };
  await cache.add(blockKey, 1, blockMs / 1000);
  const blockExpiresInMs = Math.min(ms((await cache.ttl(blockKey)) ?? blockMs / 1000), blockMs);
  return { totalHits, expiresInMs, isBlocked: true, blockExpiresInMs };
}

/** Seconds (what `cache.ttl` answers) as milliseconds; 0 for a key without expiry. */
function ms(seconds: number): number {
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : 0;
}
