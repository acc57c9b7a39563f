import { resolveKey } from '../keys/cache-key';
import type { MethodLock } from '../interfaces/cache-lock-options.interface';
import type { DecoratedCallHost } from './decorated-call';

/**
 * Runs one call of a `@CacheLock` method holding its lock (renewed while it runs); waits up to
 * `wait` for another holder, or rejects with `CacheLockTimeoutError` at once without it. A lock
 * that cannot be taken because the store is down rejects too (locks never fail open).
 */
export function withMethodLock<T>(
  host: DecoratedCallHost,
  lock: MethodLock,
  args: unknown[],
  run: () => Promise<T>,
): Promise<T> {
  const name =
    typeof lock.name === 'function'
      ? (lock.name as (...a: unknown[]) => string)(...args)
      : resolveKey(lock.name, args, args);
  return host
    .cache(lock.store)
    .lock(name, lock.ttl)
    .block(lock.wait ?? 0, run);
}
