// Where a rate-limit hit runs (`nestjs-cachekit/throttler`): the store's own atomic `throttle`
// hook (Redis: one Lua script; PostgreSQL: one transaction; file: under its per-key mutex), or,
// on an in-process store with synchronous access, `throttleStep` between one synchronous read
// and write (nothing else runs in between). Any other store answers `undefined`: the throttler
// then counts with several round trips on the cache API.
import { createHash } from 'node:crypto';
import { INTERNAL_KEY_KIND, internalKey } from '../keys';
import type { LockSite } from './cache-lock';
import { throttleStep, type ThrottleHit, type ThrottleResult } from './throttle-step';

/** The store key of the rate-limit record `id` (`<ns>:\0r:<id>`; ids over 512 bytes as their SHA-256). */
export function rateLimitKey(namespace: string, id: string): string {
  const body = Buffer.byteLength(id) > 512 ? `#${createHash('sha256').update(id).digest('hex')}` : id;
  return internalKey(namespace, INTERNAL_KEY_KIND.rateLimit, body);
}

/**
 * One hit of the rate limit `id` as one atomic step on the site's store, or `undefined` when
 * the store has no atomic form (neither a `throttle` hook nor synchronous access).
 */
export async function throttleOnStore(
  site: LockSite,
  id: string,
  hit: ThrottleHit,
): Promise<ThrottleResult | undefined> {
  const { store } = site;
  const key = rateLimitKey(site.namespace, id);
  if (store.throttle) return store.throttle(key, hit);
  if (store.getSync && store.setSync) {
    const { record, keepMs, result } = throttleStep(store.getSync(key), hit, site.now());
    store.setSync(key, record, Math.max(1, Math.ceil(keepMs)));
    return result;
  }
  return undefined;
}
