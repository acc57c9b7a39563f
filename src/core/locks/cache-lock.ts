// The public lock API (`cache.lock(name, ttl)`, Laravel's `Cache::lock`): a lease on the store's
// lock hooks, atomic across processes where the store's `acquireLock`/`add` is (Redis, file,
// Postgres, two-tier on its L2), in-process on memory. Waiters wake on release: through the
// store's change notifications across processes, and through `LocalWake` within one.
import { CacheArgumentError, CacheLockTimeoutError } from '../cache.errors';
import { lockToken } from '../remember/lock-lease';
import { createHash } from 'node:crypto';
import { assertKey, internalKey } from '../keys';
import type { CacheStore } from '../store.types';
import { parseTtl, type Ttl } from '../ttl';
import { LocalWake } from './local-wake';
import { checkOptionKeys, checkRunFn } from './lock-args';
import { optionKeys } from '../option-checks';

/** What a lock needs from the cache that made it. */
export interface LockSite {
  /** The store's name, for errors. */
  readonly storeName: string;
  readonly store: CacheStore;
  /** The cache's namespace (module and store prefix). */
  readonly namespace: string;
  /** The cache's clock (epoch ms), for records kept by in-process stores. */
  now(): number;
  /** Reports a failed renewal or release that no caller awaits, or a rate-limit hit that failed. */
  report(operation: 'lock' | 'unlock' | 'throttle', err: unknown): void;
}

/** Options of `cache.lock(name, ttl, options)`. */
export interface LockOptions {
  /**
   * Keep renewing the lease (every third of its TTL) while a function passed to `get`/`block`
   * runs, so a slow holder does not lose the lock at the TTL. `false`: the lock expires at its
   * TTL whatever the holder is doing.
   * @default true
   */
  renew?: boolean;
}

const LOCK_OPTION_KEYS = optionKeys<LockOptions>()(['renew']);

/** Default lease of a lock, when `cache.lock(name)` gives none: 10 seconds. */
export const DEFAULT_LOCK_TTL_MS = 10_000;

/**
 * The mechanics of one named lease (shared by `Lock` and the funnel's slots): the store key,
 * the key its release announces, acquisition, renewal while a function runs, release.
 */
export class NamedLease {
  readonly key: string;
  readonly wakeKey: string;
  readonly ttlMs: number;

  constructor(
    readonly site: LockSite,
    readonly name: string,
    readonly owner: string,
    ttl: Ttl | undefined,
    private readonly renew: boolean,
  ) {
    this.ttlMs = ttl === undefined ? DEFAULT_LOCK_TTL_MS : parseTtl(ttl, `ttl of lock "${name}"`);
    assertKey(name, 'lock name');
    // `\0lock:` never starts a user key (those are escaped) nor another internal kind.
    const id = `\u0000lock:${Buffer.byteLength(name) > 512 ? createHash('sha256').update(name).digest('hex') : name}`;
    this.key = internalKey(site.namespace, 'l', id);
    // What a release announces (the lease key with its `\0l:` kind stripped): see the store's releaseLock.
    this.wakeKey = site.namespace ? `${site.namespace}:${id}` : id;
  }

  tryAcquire(): Promise<boolean> {
    const { store } = this.site;
    if (store.acquireLock) return store.acquireLock(this.key, this.owner, this.ttlMs);
    if (store.add) return store.add(this.key, this.owner, this.ttlMs);
    return addByGet(store, this.key, this.owner, this.ttlMs);
  }

  async release(): Promise<boolean> {
    const released = await releaseLease(this.site.store, this.key, this.owner);
    if (released) LocalWake.of(this.site.store).wake(this.wakeKey);
    return released;
  }

  /** Runs `fn` as the holder (renewing unless told not to), then releases. */
  async runHeld<T>(fn: () => T | Promise<T>): Promise<T> {
    const renew = this.renew ? this.startRenewal() : undefined;
    try {
      return await fn();
    } finally {
      if (renew) clearInterval(renew);
      await this.release().catch((err: unknown) => this.site.report('unlock', err));
    }
  }

  private startRenewal(): NodeJS.Timeout {
    const { store } = this.site;
    const timer = setInterval(
      () => {
        const renewed = store.renewLock
          ? store.renewLock(this.key, this.owner, this.ttlMs)
          : store.touch
            ? store.touch(this.key, this.ttlMs)
            : undefined;
        renewed?.catch((err: unknown) => this.site.report('lock', err));
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    timer.unref();
    return timer;
  }
}

/**
 * A named lock on one store (`cache.lock('reports:daily', '30s')`). A lease, not a fence: a
 * holder paused past the TTL (without renewal) can find the lock taken by another; `owner` is a
 * unique token that can serve as a fencing token where the protected resource checks it.
 */
export class Lock {
  private readonly lease: NamedLease;

  constructor(site: LockSite, name: string, ttl?: Ttl, options: LockOptions = {}, owner?: string) {
    if (owner !== undefined && (typeof owner !== 'string' || owner.length === 0)) {
      throw new CacheArgumentError(`Invalid owner for lock "${name}": expected the owner token of a lock`);
    }
    checkOptionKeys(options, LOCK_OPTION_KEYS, `lock("${name}")`);
    if (options.renew !== undefined && typeof options.renew !== 'boolean') {
      throw new CacheArgumentError(`Invalid renew option for lock "${name}": expected a boolean`);
    }
    this.lease = new NamedLease(site, name, owner ?? lockToken(), ttl, options.renew !== false);
  }

  /** @internal What the lock runs on (the throttler storage reaches the store through it). */
  get site(): LockSite {
    return this.lease.site;
  }

  /** The lock's name. */
  get name(): string {
    return this.lease.name;
  }

  /** The token naming this holder; pass it to `cache.restoreLock(name, owner)` elsewhere. */
  get owner(): string {
    return this.lease.owner;
  }

  /**
   * Tries once to take the lock. Without `fn`: resolves whether it was taken (then held until
   * `release()` or its TTL). With `fn`: runs it if taken, releases, and resolves what `fn`
   * resolved; resolves `false` (and does not run `fn`) if another holder has it.
   */
  get(): Promise<boolean>;
  get<T>(fn: () => T | Promise<T>): Promise<T | false>;
  async get<T>(fn?: () => T | Promise<T>): Promise<T | boolean> {
    if (fn !== undefined) checkRunFn(fn, `lock("${this.lease.name}").get(fn)`);
    if (!(await this.lease.tryAcquire())) return false;
    return fn ? this.lease.runHeld(fn) : true;
  }

  /**
   * Waits up to `wait` (seconds or a duration; `0`: one try) for the lock; rejects with
   * `CacheLockTimeoutError` if it is still taken then. Without `fn`: resolves `true` once held.
   * With `fn`: runs it, releases, and resolves what it resolved.
   */
  block(wait: Ttl): Promise<true>;
  block<T>(wait: Ttl, fn: () => T | Promise<T>): Promise<T>;
  async block<T>(wait: Ttl, fn?: () => T | Promise<T>): Promise<T | true> {
    const lease = this.lease;
    const waitMs = wait === 0 ? 0 : parseTtl(wait, `wait of lock "${lease.name}"`);
    if (fn !== undefined) checkRunFn(fn, `lock("${lease.name}").block(wait, fn)`);
    await acquireWithin([lease], waitMs, lease.name);
    return fn ? lease.runHeld(fn) : true;
  }

  /** Releases the lock if this owner holds it; resolves whether it did (`false`: not the owner). */
  release(): Promise<boolean> {
    return this.lease.release();
  }

  /** Releases the lock whoever holds it. */
  async forceRelease(): Promise<void> {
    const { site, key, wakeKey } = this.lease;
    await site.store.delete(key);
    LocalWake.of(site.store).wake(wakeKey);
  }
}

/**
 * Takes the first of `leases` that is free, waiting up to `waitMs` (0: one try) for a release;
 * resolves the lease taken or rejects with `CacheLockTimeoutError` naming `what`.
 */
export async function acquireWithin(leases: readonly NamedLease[], waitMs: number, what: string): Promise<NamedLease> {
  const { site } = leases[0];
  const deadline = Date.now() + waitMs;
  let delay = 10;
  for (;;) {
    // Start at a random one, so concurrent callers do not all race for the first.
    const start = Math.floor(Math.random() * leases.length);
    for (let i = 0; i < leases.length; i++) {
      const lease = leases[(start + i) % leases.length];
      if (await lease.tryAcquire()) return lease;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new CacheLockTimeoutError(site.storeName, what, waitMs);
    const upTo = Math.min(left, delay * 4);
    await Promise.race(leases.map((l) => waitForRelease(site.store, l.wakeKey, upTo, Math.min(delay, left))));
    delay = Math.min(delay * 2, 200);
  }
}

/** Releases a lease held by `token`; resolves whether it was released. */
export async function releaseLease(store: CacheStore, key: string, token: string): Promise<boolean> {
  if (store.releaseLock) {
    const released = await store.releaseLock(key, token);
    if (typeof released === 'boolean') return released;
    return (await store.get(key)) === undefined; // an older custom store that resolves nothing
  }
  if ((await store.get(key)) !== token) return false;
  return store.delete(key);
}

/**
 * One wait for a release: the store's notification (other processes), this process's own
 * releases, or `delay` ms (a holder whose lease simply expired announces nothing).
 */
export function waitForRelease(store: CacheStore, wakeKey: string, upTo: number, delay: number): Promise<void> {
  const local = LocalWake.of(store).wait(wakeKey, store.waitForChange ? upTo : Math.min(upTo, delay));
  if (!store.waitForChange) return local.promise;
  const remote = store.waitForChange(wakeKey, upTo).catch(() => undefined);
  return Promise.race([local.promise, remote]).finally(local.cancel);
}

async function addByGet(store: CacheStore, key: string, value: string, ttlMs: number): Promise<boolean> {
  if ((await store.get(key)) !== undefined) return false;
  await store.set(key, value, ttlMs);
  return true;
}
