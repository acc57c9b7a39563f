import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createCacheManager } from '../config/create-cache-manager';
import type { Cache as NativeCache } from '../core/cache';
import type { CacheManager } from '../core/cache-manager';
import type { CacheLogger } from '../core/logger';
import { SingleFlight } from '../core/remember/single-flight';
import { expiryFromSecondsLeft, planStores, warnIgnoredOptions } from './compat-stores';
import type { CacheManagerApi, CacheModuleOptions, StoredDataRaw, WrapOptions, WrapOptionsRaw } from './compat.types';

/** The manager object `@Inject(CACHE_MANAGER)` returns, with upstream's own members. */
export type CompatCacheManager = CacheManagerApi & { onModuleDestroy(): Promise<void> };

/** A value found in the store at `index`. */
type Found<T> = { value: T; index: number };
type Life = number | ((value: unknown) => number) | undefined;
/** How a write lives: never expires, gone at once (negative TTL), or this many ms. */
type Plan = { kind: 'forever' } | { kind: 'expired' } | { kind: 'ms'; ms: number };

/** Upstream accepts `''` as a key; the core does not. It becomes a key no user string can be. */
const EMPTY_KEY = '\u0000';
const toKey = (key: string): string => (key === '' ? EMPTY_KEY : String(key));

/**
 * Upstream's cache manager over this package's stores: every TTL in milliseconds (`0`: never
 * expires), `get` resolving `undefined` on a miss, `ttl()` an absolute epoch-ms expiry, several
 * stores read in order and written together. See docs/migration.md for what differs.
 */
export class CompatCache {
  readonly events = new EventEmitter();
  readonly caches: NativeCache[];
  readonly manager: CacheManager;
  private readonly flights = new SingleFlight();
  private readonly refreshes = new SingleFlight();
  private readonly id: string;
  private readonly moduleTtl: number | undefined;
  private readonly ownTtls: (number | undefined)[];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: CacheModuleOptions,
    logger: CacheLogger,
  ) {
    warnIgnoredOptions(options, logger);
    const plan = planStores(options, logger);
    this.manager = createCacheManager({ ...plan.native, logger });
    this.caches = plan.names.map((n) => this.manager.store(n));
    this.ownTtls = plan.ownTtls;
    this.stores = plan.views((n) => this.manager.store(n));
    this.id = typeof options.cacheId === 'string' ? options.cacheId : randomUUID();
    this.moduleTtl = typeof options.ttl === 'number' && !Number.isNaN(options.ttl) ? options.ttl : undefined;
    logger.log?.(
      `Cache stores, nearest first: ${plan.describe.join('; ')}. Default TTL: ${this.moduleTtl ? `${this.moduleTtl} ms` : 'none (entries never expire)'}.`,
    );
  }

  readonly stores: CacheManagerApi['stores'];

  async get<T>(key: string): Promise<T | undefined> {
    const k = toKey(key);
    const found = this.options.nonBlocking && this.caches.length > 1 ? await this.race<T>(k) : await this.first<T>(k);
    // As upstream: a `get` event for a hit only, naming the store that answered.
    if (found) this.events.emit('get', { key, value: found.value, store: storeLabel(found.index) });
    return found?.value;
  }

  async mget<T>(keys: string[]): Promise<(T | undefined)[]> {
    const out: (T | undefined)[] = keys.map(() => undefined);
    let missing = keys.map((_, i) => i);
    for (const cache of this.caches) {
      if (missing.length === 0) break;
      const ks = missing.map((i) => toKey(keys[i]));
      const found = await cache.getMany<T>(ks);
      for (const i of missing) out[i] = found[toKey(keys[i])];
      missing = missing.filter((i) => out[i] === undefined);
    }
    this.events.emit('mget', { keys, values: out });
    return out;
  }

  async ttl(key: string): Promise<number | undefined> {
    const k = toKey(key);
    for (const cache of this.caches) {
      const expires = await this.expiryIn(cache, k);
      if (expires !== null) return expires;
    }
    return undefined;
  }

  async set<T>(key: string, value: T, ttl?: number): Promise<T> {
    const written = this.writeStores(key, toKey(key), value, ttl);
    // nonBlocking: upstream does not wait for the writes; their failures are logged by the stores.
    if (this.options.nonBlocking) void written.catch(() => undefined);
    else await written;
    return value;
  }

  async mset<T>(list: { key: string; value: T; ttl?: number }[]): Promise<{ key: string; value: T; ttl?: number }[]> {
    const out = list.map((item) => ({ ...item, ttl: item.ttl ?? this.moduleTtl }));
    await Promise.all(
      out.map((item) =>
        Promise.all(this.caches.map((c, i) => this.write(c, toKey(item.key), item.value, this.plan(item.ttl, i)))),
      ),
    );
    this.events.emit('mset', { list: out });
    return out;
  }

  async del(key: string): Promise<boolean> {
    await Promise.all(this.caches.map((c) => c.delete(toKey(key))));
    this.events.emit('del', { key });
    return true;
  }

  async mdel(keys: string[]): Promise<boolean> {
    await Promise.all(this.caches.map((c) => c.deleteMany(keys.map(toKey))));
    this.events.emit('mdel', { keys });
    return true;
  }

  async clear(): Promise<boolean> {
    const results = await Promise.allSettled(this.caches.map((c) => c.clear()));
    const failed = results.find((r) => r.status === 'rejected');
    this.events.emit('clear', failed?.reason);
    return true;
  }

  wrap<T>(key: string, fnc: () => T | Promise<T>, ttl?: Life, refreshThreshold?: Life): Promise<T>;
  wrap<T>(key: string, fnc: () => T | Promise<T>, options: WrapOptions<T>): Promise<T>;
  wrap<T>(key: string, fnc: () => T | Promise<T>, options: WrapOptionsRaw<T>): Promise<StoredDataRaw<T>>;
  async wrap<T>(
    key: string,
    fnc: () => T | Promise<T>,
    ttlOrOptions?: Life | WrapOptions<T> | WrapOptionsRaw<T>,
    refreshThreshold?: Life,
  ): Promise<T | StoredDataRaw<T>> {
    const opts: WrapOptions<unknown> & { raw?: boolean } =
      typeof ttlOrOptions === 'object' && ttlOrOptions !== null
        ? (ttlOrOptions as WrapOptions<unknown>)
        : { ttl: ttlOrOptions, refreshThreshold };
    const k = toKey(key);
    const entry = await this.flights.run(k, () => this.load(key, k, fnc, opts));
    return opts.raw === true ? (entry as StoredDataRaw<T>) : (entry.value as T);
  }

  on(event: string, listener: (...args: never[]) => void): EventEmitter {
    return this.events.on(event, listener as (...args: unknown[]) => void);
  }

  off(event: string, listener: (...args: never[]) => void): EventEmitter {
    return this.events.off(event, listener as (...args: unknown[]) => void);
  }

  /** Disconnects every store (once), as upstream, then releases this package's timers. */
  async disconnect(): Promise<undefined> {
    this.closing ??= (async () => {
      await Promise.all(this.stores.map((s) => s.disconnect()));
      await this.manager.close();
    })();
    await this.closing;
    return undefined;
  }

  cacheId(): string {
    return this.id;
  }

  /** Looks the key up nearest first; back-fills nearer stores; refreshes in the background below the threshold. */
  private async load(
    key: string,
    k: string,
    fnc: () => unknown,
    opts: WrapOptions<unknown>,
  ): Promise<{ value: unknown; expires: number | undefined }> {
    for (const [i, cache] of this.caches.entries()) {
      const value = await cache.get(k);
      if (value === undefined) continue;
      const expires = (await this.expiryIn(cache, k)) ?? undefined;
      const now = Date.now();
      const left = expires === undefined ? undefined : Math.max(1, expires - now);
      if (i > 0) await this.writeStores(key, k, value, left ?? 0, i);
      const threshold = life(opts.refreshThreshold ?? this.options.refreshThreshold, value);
      if (threshold !== undefined && left !== undefined && left < threshold) this.refresh(key, k, fnc, opts);
      return { value, expires };
    }
    const value = await fnc();
    const ttl = life(opts.ttl, value) ?? this.moduleTtl;
    await this.writeStores(key, k, value, ttl);
    return { value, expires: ttl !== undefined && ttl > 0 ? Date.now() + ttl : undefined };
  }

  private refresh(key: string, k: string, fnc: () => unknown, opts: WrapOptions<unknown>): void {
    if (this.refreshes.isRunning(k)) return;
    void this.refreshes
      .run(k, async () => {
        const value = await fnc();
        await this.writeStores(key, k, value, life(opts.ttl, value) ?? this.moduleTtl);
        this.events.emit('refresh', { key, value });
      })
      .catch((error: unknown) => this.events.emit('refresh', { key, value: undefined, error }));
  }

  /**
   * Writes the first `upTo` stores (all by default) as upstream's `set` does, for `set`, `wrap`
   * loads, back-fills and refreshes alike: a `set` event per store as it is written, then one for the write.
   */
  private async writeStores(
    key: string,
    k: string,
    value: unknown,
    ttl: number | undefined,
    upTo = this.caches.length,
  ): Promise<void> {
    await Promise.all(
      this.caches.slice(0, upTo).map(async (cache, i) => {
        await this.write(cache, k, value, this.plan(ttl, i));
        this.events.emit('set', { key, value, store: storeLabel(i) });
      }),
    );
    this.events.emit('set', { key, value });
  }

  /** Epoch-ms expiry in one store; `undefined`: present without expiry; `null`: missing there. */
  private async expiryIn(cache: NativeCache, k: string): Promise<number | undefined | null> {
    const seconds = await cache.ttl(k).catch(() => undefined);
    if (seconds === undefined) return null;
    return expiryFromSecondsLeft(seconds);
  }

  /** How a write to store `i` lives: the call's TTL, else the module's, else the store's own (a Keyv instance's). */
  private plan(ttl: number | undefined, i: number): Plan {
    const ms = ttl ?? this.moduleTtl ?? this.ownTtls[i];
    if (ms === undefined || ms === 0 || Number.isNaN(ms) || ms === Infinity) return { kind: 'forever' };
    return ms < 0 ? { kind: 'expired' } : { kind: 'ms', ms };
  }

  private async write(cache: NativeCache, k: string, value: unknown, plan: Plan): Promise<void> {
    // Upstream stores undefined and reads it back as a miss; a negative TTL writes an entry
    // already expired. Removing the key reads the same.
    if (value === undefined || plan.kind === 'expired') await cache.delete(k);
    else if (plan.kind === 'forever') await cache.forever(k, value);
    else await cache.set(k, value, plan.ms / 1000);
  }

  private async first<T>(k: string): Promise<Found<T> | undefined> {
    for (const [index, cache] of this.caches.entries()) {
      const value = await cache.get<T>(k);
      if (value !== undefined) return { value, index };
    }
    return undefined;
  }

  /** `nonBlocking`: the first store to answer with a value wins. */
  private race<T>(k: string): Promise<Found<T> | undefined> {
    return new Promise((resolve) => {
      let pending = this.caches.length;
      for (const [index, cache] of this.caches.entries()) {
        void cache.get<T>(k).then((value) => {
          pending--;
          if (value !== undefined) resolve({ value, index });
          else if (pending === 0) resolve(undefined);
        });
      }
    });
  }
}

/** Upstream's name of store `i` in events: `primary`, then `secondary:0`, `secondary:1`… */
function storeLabel(i: number): string {
  return i === 0 ? 'primary' : `secondary:${i - 1}`;
}

function life(value: Life, of: unknown): number | undefined {
  return typeof value === 'function' ? value(of) : value;
}

/** Builds the manager object, its methods as own enumerable members, as upstream's is. */
export function createCompatCache(options: CacheModuleOptions, logger: CacheLogger): CompatCacheManager {
  const cache = new CompatCache(options ?? {}, logger);
  const api: CompatCacheManager = {
    get: (key) => cache.get(key),
    mget: (keys) => cache.mget(keys),
    ttl: (key) => cache.ttl(key),
    set: (key, value, ttl) => cache.set(key, value, ttl),
    mset: (list) => cache.mset(list),
    del: (key) => cache.del(key),
    mdel: (keys) => cache.mdel(keys),
    clear: () => cache.clear(),
    wrap: ((key: string, fnc: () => unknown, a?: Life | WrapOptions<unknown>, b?: Life) =>
      cache.wrap(key, fnc, a as Life, b)) as CacheManagerApi['wrap'],
    on: (event, listener) => cache.on(event, listener as (...args: never[]) => void),
    off: (event, listener) => cache.off(event, listener as (...args: never[]) => void),
    disconnect: () => cache.disconnect(),
    cacheId: () => cache.cacheId(),
    stores: cache.stores,
    onModuleDestroy: async () => {
      await cache.disconnect();
    },
  };
  return api;
}
