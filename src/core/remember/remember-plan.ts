import type { RememberOptions } from '../cache.types';
import { CacheArgumentError } from '../cache.errors';
import { parseOptionalTtl, parseTtl, resolveTtlArg, type TtlArg } from '../ttl';

/** What one `remember` call will do on a miss, resolved from its arguments and the store's defaults. */
export interface RememberPlan {
  /** The read before loading failed: run the loader without touching the store again. */
  storeDown?: boolean;
  ttlMs: number | undefined;
  staleMs: number | undefined;
  lock: boolean;
  lockTimeoutMs: number;
  lockTtlMs: number;
}

/**
 * Resolves `remember`'s TTL (with jitter), stale window and lock settings. Runs on every call,
 * hits included, so invalid options are reported whether or not the key is cached.
 * @throws CacheArgumentError for an invalid TTL, `staleTtl`, `jitter`, `lockTimeout` or `lockTtl`
 */
export function planRemember(
  ttl: TtlArg,
  options: RememberOptions | undefined,
  defaultTtlMs: number | undefined,
  defaultLock: boolean | undefined,
): RememberPlan {
  let ttlMs = resolveTtlArg(ttl, defaultTtlMs);
  const staleMs = parseOptionalTtl(options?.staleTtl, 'staleTtl');
  const jitter = options?.jitter;
  if (jitter !== undefined) {
    if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
      throw new CacheArgumentError(`Invalid jitter: ${String(jitter)}. Expected a fraction between 0 and 1`);
    }
    if (ttlMs !== undefined) ttlMs = Math.max(1, Math.round(ttlMs * (1 - Math.random() * jitter)));
  }
  const lock = options?.lock ?? defaultLock ?? false;
  return {
    ttlMs,
    staleMs,
    lock,
    lockTimeoutMs: lock ? parseTtl(options?.lockTimeout ?? '10s', 'lockTimeout') : 0,
    lockTtlMs: lock ? parseTtl(options?.lockTtl ?? '30s', 'lockTtl') : 0,
  };
}
