// The store side of `remember({ lock: true })`: taking, renewing and releasing a cross-process
// lock. When to take it and how long to wait for another holder is the cache's business.
import { randomBytes } from 'node:crypto';
import type { CacheStore } from './store.types';

/** A lock taken (`held`) or waited for in vain; `release` is a no-op unless held. */
export interface Lease {
  held: boolean;
  release(): Promise<void>;
}

/** A random token naming one holder: only it renews and releases the lock. */
export function lockToken(): string {
  return randomBytes(12).toString('base64url');
}

/** One attempt to take the lock; resolves whether it was taken. */
export function tryLock(store: CacheStore, lockKey: string, token: string, ttlMs: number): Promise<boolean> {
  return store.acquireLock
    ? store.acquireLock(lockKey, token, ttlMs)
    : store.add
      ? store.add(lockKey, token, ttlMs)
      : fallbackAdd(store, lockKey, token, ttlMs);
}

/** Renews a taken lock every third of its TTL until released; failures go to `report`. */
export function holdLease(
  store: CacheStore,
  lockKey: string,
  token: string,
  ttlMs: number,
  report: (op: 'lock' | 'unlock', err: unknown) => void,
): Lease {
  const renew = setInterval(
    () => {
      const p = store.renewLock
        ? store.renewLock(lockKey, token, ttlMs)
        : store.touch
          ? store.touch(lockKey, ttlMs)
          : undefined;
      p?.catch((err: unknown) => report('lock', err));
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  renew.unref();
  return {
    held: true,
    release: async () => {
      clearInterval(renew);
      try {
        if (store.releaseLock) await store.releaseLock(lockKey, token);
        else if ((await store.get(lockKey)) === token) await store.delete(lockKey);
      } catch (err) {
        report('unlock', err);
      }
    },
  };
}

/**
 * One wait for another holder's value under `k`: the store's change notification (up to a
 * second), or else a sleep of `delay`; never past `left` ms.
 */
export function waitForHolder(store: CacheStore, k: string, left: number, delay: number): Promise<void> {
  return store.waitForChange ? store.waitForChange(k, Math.min(left, 1000)) : sleep(Math.min(delay, left));
}

async function fallbackAdd(store: CacheStore, key: string, value: unknown, ttlMs: number): Promise<boolean> {
  if ((await store.get(key)) !== undefined) return false;
  await store.set(key, value, ttlMs);
  return true;
}

// Not unref'd: a caller awaiting a lock holder's value must keep the process alive (an unref'd
// poll let a script whose only work was `remember(..., { lock: true })` exit mid-wait). The wait
// is bounded by lockTimeout.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
}
