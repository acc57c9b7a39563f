// `remember({ lock: true })`'s cross-process lease: taking, renewing and releasing the lock on
// the store, and waiting for another holder's value. When to take it is the loader's business.
import { randomBytes } from 'node:crypto';
import type { CacheKeys } from '../cache-keys';
import type { CacheMeter } from '../cache-meter';
import { addIfAbsent } from '../store-access/store-fallbacks';
import type { StoreGuard } from '../store-access/store-guard';
import type { CacheStore } from '../store.types';
import type { TaggedEntries } from '../tags/tagged-entries';

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
      : addIfAbsent(store, lockKey, token, ttlMs);
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

// Not unref'd: a caller awaiting a lock holder's value must keep the process alive (an unref'd
// poll let a script whose only work was `remember(..., { lock: true })` exit mid-wait). The wait
// is bounded by lockTimeout.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
}

/** What {@link acquireLease} needs of its cache. */
export interface LeaseContext {
  store: CacheStore;
  keys: CacheKeys;
  guard: StoreGuard;
  meter: CacheMeter;
  entries: TaggedEntries;
}

/**
 * Takes `remember`'s lease on the store key `k`, or waits (change notifications or polling with
 * back-off, up to `lockTimeoutMs`) for the holder's value to land, taking the lease if the holder
 * gave up. Resolves a lease that is `held` or not (the value landed, or the wait timed out).
 * @throws CacheUnavailableError when the store cannot lock
 */
export async function acquireLease(
  ctx: LeaseContext,
  k: string,
  key: string,
  lockTtlMs: number,
  lockTimeoutMs: number,
): Promise<Lease> {
  const { store, guard, meter } = ctx;
  const lockKey = ctx.keys.lock(k);
  const token = lockToken();
  const tryAcquire = () => guard.strict('lock', () => tryLock(store, lockKey, token, lockTtlMs));
  const hold = () => holdLease(store, lockKey, token, lockTtlMs, (op, err) => guard.report(op, lockKey, err));
  const notHeld: Lease = { held: false, release: async () => undefined };
  // Taken: but the previous holder may have stored the value and released since this caller's
  // miss, so look again before loading (else two caches load once each, one after the other).
  const holdUnlessLoaded = async (): Promise<Lease | undefined> => {
    const lease = hold();
    const entry = await ctx.entries.read(k, key);
    if (entry === undefined || entry.stale) return lease;
    await lease.release();
    return undefined;
  };
  if (await tryAcquire()) return (await holdUnlessLoaded()) ?? notHeld;
  // Somebody else is loading: wait for the value to land (notification or polling), then re-check.
  const start = meter.started();
  const deadline = Date.now() + lockTimeoutMs;
  let delay = 25;
  while (Date.now() < deadline) {
    await waitForHolder(store, k, deadline - Date.now(), delay);
    delay = Math.min(delay * 2, 250);
    const entry = await ctx.entries.read(k, key);
    if (entry !== undefined && !entry.stale) break;
    if (await tryAcquire()) {
      meter.emit('lock-wait', key, start);
      return (await holdUnlessLoaded()) ?? notHeld;
    }
  }
  meter.emit('lock-wait', key, start);
  return notHeld;
}
