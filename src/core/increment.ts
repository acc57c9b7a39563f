// The arithmetic of `increment` for the stores that add in JavaScript (memory, file, Keyv, and
// the cache's get-then-set fallback): one check, one message, whichever store holds the key.
import { CacheArgumentError } from './cache.errors';

/**
 * What `increment` stores: `current` (what the key holds; `undefined` for a missing key, which
 * starts at 0) plus `by`.
 * @param key the key as the caller named it, for the error
 * @throws CacheArgumentError naming `key` when it holds something other than a number, or when
 *   an integer count would pass `Number.MAX_SAFE_INTEGER` (from there on it would count wrong)
 */
export function incremented(key: string, current: unknown, by: number): number {
  const base = current === undefined ? 0 : current;
  if (typeof base !== 'number') {
    throw new CacheArgumentError(
      `Cannot increment key ${JSON.stringify(key)}: it holds a ${base === null ? 'null' : typeof base}, not a number`,
      key,
    );
  }
  const next = base + by;
  if (!Number.isSafeInteger(next) && Number.isInteger(base) && Number.isInteger(by)) {
    throw new CacheArgumentError(
      `Cannot increment key ${JSON.stringify(key)}: the result would exceed Number.MAX_SAFE_INTEGER`,
      key,
    );
  }
  return next;
}
