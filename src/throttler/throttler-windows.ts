// The throttler's fallback for stores without an atomic step (no `throttle` hook, no synchronous
// access: Keyv, custom stores): fixed windows counted with the cache API, 2–4 round trips per hit.
// Exact across processes where the store's `increment` and `add` are atomic; the rules differ
// from the built-in storage's (see docs/locks.md, "Shared rate limits").
import type { CacheApi } from '../core/cache-api';
import { CacheUnsupportedError } from '../core/cache.errors';
import type { ThrottleHit, ThrottleResult } from '../core/locks/throttle-step';

/** One hit of `id` (`<throttler name>:<key>`) in fixed windows: an atomic counter and a block entry. */
export async function countInWindows(cache: CacheApi, id: string, hit: ThrottleHit): Promise<ThrottleResult> {
  const { ttlMs, limit, blockMs } = hit;
  const hitsKey = `throttler:${id}`;
  const blockKey = `${hitsKey}:blocked`;
  if (blockMs > 0) {
    const blockLeft = await remaining(cache, blockKey, blockMs);
    if (blockLeft !== undefined) {
      const windowLeft = (await remaining(cache, hitsKey, ttlMs)) ?? 0;
      return { totalHits: limit + 1, expiresInMs: windowLeft, isBlocked: true, blockExpiresInMs: blockLeft };
    }
  }
  const totalHits = await cache.increment(hitsKey, 1, ttlMs / 1000);
  const expiresInMs = (await remaining(cache, hitsKey, ttlMs)) ?? ttlMs;
  if (totalHits <= limit) return { totalHits, expiresInMs, isBlocked: false, blockExpiresInMs: 0 };
  if (blockMs <= 0) return { totalHits, expiresInMs, isBlocked: true, blockExpiresInMs: expiresInMs };
  await cache.add(blockKey, 1, blockMs / 1000);
  const blockExpiresInMs = (await remaining(cache, blockKey, blockMs)) ?? blockMs;
  return { totalHits, expiresInMs, isBlocked: true, blockExpiresInMs };
}

/**
 * Milliseconds left of `key` (at most `fullMs`; `undefined` when missing). A store that cannot
 * tell (no `ttl`) answers `fullMs` for a key that exists.
 */
async function remaining(cache: CacheApi, key: string, fullMs: number): Promise<number | undefined> {
  let seconds: number | undefined;
  try {
    seconds = await cache.ttl(key);
  } catch (err) {
    if (!(err instanceof CacheUnsupportedError)) throw err;
    return (await cache.has(key)) ? fullMs : undefined;
  }
  if (seconds === undefined) return undefined;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds * 1000), fullMs) : fullMs;
}
