import { CacheFunnel, type FunnelOptions } from './locks/cache-funnel';
import { CacheLock, type LockOptions, type LockSite } from './locks/cache-lock';
import { memoOf } from './memo/request-memo';
import {
  CacheArgumentError,
  CacheSerializationError,
  CacheUnavailableError,
  CacheUnsupportedError,
} from './cache.errors';
import type { CacheApi } from './cache-api';
import type { CacheEventType } from './cache.events';
import { checkValue, errorMessage, isCallerError, round, toPairs } from './cache.helpers';
import { holdLease, lockToken, tryLock, waitForHolder, type Lease } from './cache.lock';
import {
  FOREVER,
  type CacheSettings,
  type CacheStats,
  type HealthReport,
  type RememberOptions,
  type StoreHealth,
  type TtlArg,
} from './cache.types';
import { dependencyScope, isTracking, trackDependencies, type DependencyScope } from './dependency-scope';
import { isEnvelope, wrap, type Envelope } from './envelope';
import { lockKey as leaseKey, normalizeKey } from './keys';
import { SingleFlight } from './single-flight';
import type { CacheStore, StoreEntry } from './store.types';
import { probeStore } from './store-probe';
import { readTagVersions, reclaimOutdated, sameEnvelope, tagVersionKey } from './tag-versions';
import { normalizeTags, TaggedCache } from './tagged-cache';
import type { CacheOperationName, CacheOperationResult, OperationMeter, StoreOperations } from './operation-meter';
import { parseOptionalTtl, parseTtl, type Ttl } from './ttl';

interface Entry {
  value: unknown;
  stale: boolean;
  tags?: Record<string, string>;
}

interface InFlight {
  invalidated: boolean;
}

interface RememberPlan {
  /** The read before loading failed: run the loader without touching the store again. */
  storeDown?: boolean;
  ttlMs: number | undefined;
  staleMs: number | undefined;
  lock: boolean;
  lockTimeoutMs: number;
  lockTtlMs: number;
}

/** Size of each cache's memo of normalised keys, and the longest key it keeps. */
const MEMO_KEYS = 4096;
const MEMO_KEY_LENGTH = 256;

/**
 * The cache API of one named store. Every store, `CacheService` and `@InjectCache(name)` share it.
 *
 * Reads and `remember` fail open: when the store is down they miss (and the loader runs), the
 * error is logged once per burst and counted. `set`/`delete` resolve `false` on failure.
 * Counters, `add`, locks, `clear` and tag flushes throw {@link CacheUnavailableError}.
 */
export class Cache implements CacheApi<CacheStats> {
  /** The store's configured name. */
  readonly name: string;
  private readonly backend: CacheStore;
  private readonly ns: string;
  private readonly flights = new SingleFlight();
  private readonly inflight = new Map<string, InFlight>();
  private readonly counters = { hits: 0, misses: 0, writes: 0, deletes: 0, errors: 0, staleHits: 0 };
  /** Recently normalised keys: the namespace join and checks cost more than a Map lookup. */
  private readonly keys = new Map<string, string>();
  /** Tag name → its version key, memoised likewise. */
  private readonly tagKeys = new Map<string, string>();
  private locks?: LockSite;
  private readonly meter: OperationMeter;
  private readonly tallies: StoreOperations;
  /** The last store failure, for the `error` result of the operation that met it (spans). */
  private lastError: unknown;

  constructor(private readonly settings: CacheSettings) {
    this.name = settings.name;
    this.backend = settings.store;
    this.ns = settings.namespace;
    this.meter = settings.meter;
    this.tallies = settings.meter.forStore(settings.name);
  }

  /** The default TTL of this store in ms (`undefined`: entries never expire by default). */
  get defaultTtlMs(): number | undefined {
    return this.settings.defaultTtlMs;
  }

  /** The underlying store, for store-specific operations. */
  get driver(): CacheStore {
    return this.backend;
  }

  // ------------------------------------------------------------------------------------------
  // Reads

  /** The cached value, or `fallback` (a value or a function producing one), or `undefined`. */
  async get<T = unknown>(key: string): Promise<T | undefined>;
  async get<T = unknown>(key: string, fallback: T | (() => T | Promise<T>)): Promise<T>;
  async get<T = unknown>(key: string, fallback?: T | (() => T | Promise<T>)): Promise<T | undefined> {
    const k = this.readKey(key);
    const start = this.started();
    // Hot path: one await on the store; only wrapped entries (tags, SWR) take the slow path.
    let raw: unknown;
    let failed = false;
    try {
      const store = this.backend;
      raw = store.getSync !== undefined ? store.getSync(k) : await store.get(k);
    } catch (err) {
      raw = this.readFailed('get', key, err);
      failed = true;
    }
    let hit = raw !== undefined;
    if (hit && isEnvelope(raw)) {
      const entry = this.backend.getSync !== undefined ? this.unwrapSync(k, raw, key) : await this.unwrap(k, raw, key);
      hit = entry !== undefined && !entry.stale;
      raw = entry?.value;
    }
    this.count(hit, key, start);
    if (this.meter.active) this.measured('get', failed ? 'error' : hit ? 'hit' : 'miss', start, key);
    if (hit) return raw as T;
    if (typeof fallback === 'function') return (fallback as () => T | Promise<T>)();
    return fallback;
  }

  /** Whether a fresh value is cached under `key`. */
  async has(key: string): Promise<boolean> {
    const k = this.readKey(key);
    const [start, errors] = [this.started(), this.counters.errors];
    const found = (await this.readFresh(k, key)) !== undefined;
    if (this.meter.active) this.measuredSince(errors, 'has', found ? 'hit' : 'miss', start, key);
    return found;
  }

  /** Values for many keys, in one round trip where the store can. Misses are `undefined`. */
  async getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    if (!Array.isArray(keys)) throw new CacheArgumentError('getMany(keys): keys must be an array of strings');
    const ks = keys.map((key) => this.readKey(key));
    const [start, errors] = [this.started(), this.counters.errors];
    const raws = await this.failOpen(
      'getMany',
      keys.join(','),
      () => (this.backend.getMany ? this.backend.getMany(ks) : Promise.all(ks.map((k) => this.backend.get(k)))),
      ks.map(() => undefined) as unknown[],
    );
    const entries = await this.unwrapMany(ks, raws, keys);
    const out: Record<string, T | undefined> = {};
    keys.forEach((key, i) => {
      const e = entries[i];
      this.count(e !== undefined, key, 0);
      // One timed sample per call: the keys share one round trip.
      if (this.meter.active) this.measuredSince(errors, 'getMany', e ? 'hit' : 'miss', i === 0 ? start : 0, key);
      out[key] = e === undefined ? undefined : (e.value as T);
    });
    return out;
  }

  /** Remaining seconds: `Infinity` when the entry never expires, `undefined` when it is missing. */
  async ttl(key: string): Promise<number | undefined> {
    if (!this.meter.active) return this.readTtl(key);
    const [start, errors] = [this.started(), this.counters.errors];
    const left = await this.readTtl(key);
    this.measuredSince(errors, 'ttl', left === undefined ? 'miss' : 'hit', start, key);
    return left;
  }

  private async readTtl(key: string): Promise<number | undefined> {
    const k = this.key(key);
    const raw = await this.readRaw(k, key);
    if (raw === undefined) return undefined;
    if (isEnvelope(raw)) {
      const entry = await this.unwrap(k, raw, key);
      if (entry === undefined || entry.stale) return undefined;
      if (raw.f !== undefined) return (raw.f - this.settings.clock.now()) / 1000;
    }
    if (!this.backend.ttl) throw new CacheUnsupportedError(this.name, 'ttl');
    const ms = await this.failOpen('ttl', key, () => this.backend.ttl!(k), undefined);
    return ms === undefined ? undefined : ms === Infinity ? Infinity : ms / 1000;
  }

  // ------------------------------------------------------------------------------------------
  // Writes

  /** Stores a value. Resolves `true`, or `false` when the store failed (logged and counted). */
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.writeOne(key, value, ttl, undefined);
  }

  /** Stores a value that never expires, whatever the defaults. */
  forever(key: string, value: unknown): Promise<boolean> {
    return this.writeOne(key, value, FOREVER, undefined);
  }

  /** Stores only if absent (atomic where the store can). Resolves whether it stored. */
  add(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.addTagged(key, value, ttl, undefined);
  }

  /** Stores many values, in one round trip where the store can. */
  setMany(entries: Record<string, unknown> | Iterable<readonly [string, unknown]>, ttl?: Ttl): Promise<boolean> {
    return this.setManyTagged(entries, ttl, undefined);
  }

  /** Removes a key. Resolves whether something was removed. */
  async delete(key: string): Promise<boolean> {
    const k = this.key(key);
    const start = this.started();
    this.invalidate(k);
    const errors = this.counters.errors;
    const removed = await this.failOpen('delete', key, () => this.backend.delete(k), false);
    if (removed) this.counters.deletes++;
    if (this.meter.active) this.measuredSince(errors, 'delete', 'ok', start, key);
    this.emit('delete', key, start);
    return removed;
  }

  /** Removes many keys; resolves how many were removed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    if (!Array.isArray(keys)) throw new CacheArgumentError('deleteMany(keys): keys must be an array of strings');
    const ks = keys.map((key) => this.key(key));
    ks.forEach((k) => this.invalidate(k));
    const [start, errors] = [this.started(), this.counters.errors];
    const n = await this.failOpen(
      'deleteMany',
      keys.join(','),
      async () => {
        if (this.backend.deleteMany) return this.backend.deleteMany(ks);
        const results = await Promise.all(ks.map((k) => this.backend.delete(k)));
        return results.filter(Boolean).length;
      },
      0,
    );
    this.counters.deletes += n;
    if (this.meter.active) this.measuredSince(errors, 'deleteMany', 'ok', start, keys.join(','));
    if (start) for (const key of keys) this.emit('delete', key, start);
    return n;
  }

  /** Gets a value and removes it. */
  async pull<T = unknown>(key: string): Promise<T | undefined> {
    const value = await this.get<T>(key);
    if (value !== undefined) await this.delete(key);
    return value;
  }

  /** Removes every key of this cache (its prefix), never another app's. Throws when the store is down. */
  async clear(): Promise<void> {
    for (const flight of this.inflight.values()) flight.invalidated = true;
    const start = this.started();
    await this.metered(
      'clear',
      start,
      '*',
      this.strict('clear', () => this.backend.clear()),
    );
    this.emit('delete', '*', start);
  }

  /** Adds `by` (default 1) atomically; a missing key starts at 0 and gets `ttl`. Throws when the store is down. */
  async increment(key: string, by = 1, ttl?: Ttl): Promise<number> {
    const k = this.key(key);
    if (typeof by !== 'number' || !Number.isFinite(by)) {
      throw new CacheArgumentError(
        `increment(${JSON.stringify(key)}): "by" must be a finite number, got ${String(by)}`,
      );
    }
    const ttlMs = this.resolveTtl(ttl);
    this.invalidate(k);
    const start = this.started();
    const counted = this.strict('increment', async () => {
      if (this.backend.increment) return this.backend.increment(k, by, ttlMs);
      return this.incrementFallback(k, key, by, ttlMs);
    });
    const result = await this.metered('increment', start, key, counted);
    this.counters.writes++;
    this.emit('write', key, start);
    return result;
  }

  /** Subtracts `by` (default 1); see {@link increment}. */
  async decrement(key: string, by = 1, ttl?: Ttl): Promise<number> {
    if (typeof by !== 'number' || !Number.isFinite(by)) {
      throw new CacheArgumentError(
        `decrement(${JSON.stringify(key)}): "by" must be a finite number, got ${String(by)}`,
      );
    }
    return this.increment(key, -by, ttl);
  }

  /** Resets the expiry (to `ttl` or the default). Resolves whether the key existed. */
  async touch(key: string, ttl?: Ttl): Promise<boolean> {
    if (!this.meter.active) return this.touchEntry(key, ttl);
    const [start, errors] = [this.started(), this.counters.errors];
    const existed = await this.touchEntry(key, ttl);
    this.measuredSince(errors, 'touch', 'ok', start, key);
    return existed;
  }

  private async touchEntry(key: string, ttl?: Ttl): Promise<boolean> {
    const k = this.key(key);
    const ttlMs = this.resolveTtl(ttl);
    const raw = await this.readRaw(k, key);
    if (raw === undefined) return false;
    if (isEnvelope(raw) && raw.f !== undefined) {
      // A stale-while-revalidate entry keeps its stale window after the new fresh part.
      const entry = await this.unwrap(k, raw, key);
      if (entry === undefined) return false;
      const hardMs = await this.failOpen(
        'ttl',
        key,
        () => this.backend.ttl?.(k) ?? Promise.resolve(undefined),
        undefined,
      );
      const staleMs =
        hardMs === undefined || hardMs === Infinity ? 0 : Math.max(0, hardMs - (raw.f - this.settings.clock.now()));
      const freshUntil = ttlMs === undefined ? undefined : this.settings.clock.now() + ttlMs;
      const env: Envelope = { ...raw, f: freshUntil };
      if (freshUntil === undefined) delete env.f;
      return this.failOpen(
        'touch',
        key,
        async () => {
          await this.backend.set(k, env, ttlMs === undefined ? undefined : ttlMs + staleMs);
          return true;
        },
        false,
      );
    }
    return this.failOpen(
      'touch',
      key,
      async () => {
        if (this.backend.touch) return this.backend.touch(k, ttlMs);
        await this.backend.set(k, raw, ttlMs);
        return true;
      },
      false,
    );
  }

  // ------------------------------------------------------------------------------------------
  // remember

  /**
   * The cached value, or the loader's result, stored for `ttl`. Concurrent calls for one key in
   * this process run the loader once; with `lock`, once across processes. A loader that throws
   * stores nothing and its error reaches every waiting caller. A loader resolving `undefined`
   * is returned but not cached.
   */
  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T | Promise<T>, options?: RememberOptions): Promise<T> {
    return this.rememberTagged(key, ttl, loader, options, undefined);
  }

  /** {@link remember} without expiry. */
  rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T> {
    return this.rememberTagged(key, FOREVER, loader, options, undefined);
  }

  // ------------------------------------------------------------------------------------------
  // Tags, other stores, health, stats

  /** A cache whose writes carry these tags; `flush()` removes every entry carrying any of them. */
  tags(tags: string | readonly string[]): TaggedCache {
    return new TaggedCache(this, normalizeTags(tags));
  }

  /** The cache of another configured store. */
  store(name: string): Cache {
    return this.settings.resolve(name);
  }

  // Locks, funnels and the request memo live in core/locks and core/memo; these only hand them the store.
  lock(name: string, ttl?: Ttl, options?: LockOptions): CacheLock {
    return new CacheLock(this.lockSite(), name, ttl, options);
  }
  restoreLock(name: string, owner: string, ttl?: Ttl): CacheLock {
    return new CacheLock(this.lockSite(), name, ttl, {}, owner);
  }
  funnel(name: string, options: FunnelOptions): CacheFunnel {
    return new CacheFunnel(this.lockSite(), name, options);
  }
  memo(): CacheApi<CacheStats> {
    return memoOf(this);
  }
  private lockSite(): LockSite {
    return (this.locks ??= {
      storeName: this.name,
      store: this.backend,
      namespace: this.ns,
      report: (op, err) => this.report(op, '', err),
    });
  }

  /** Pings the store. `status` is `degraded` when an optional part (a two-tier store's L2) is down. */
  async health(): Promise<HealthReport> {
    if (this.settings.healthAll) return this.settings.healthAll();
    return { [this.name]: await this.checkHealth() };
  }

  /** Whether every store reported by {@link health} is up (degraded counts as up). */
  async isHealthy(): Promise<boolean> {
    const report = await this.health();
    return Object.values(report).every((h) => h.status !== 'down');
  }

  /** Health of this store alone. */
  checkHealth(timeoutMs = 1000): Promise<StoreHealth> {
    return probeStore(this.backend, this.ns, timeoutMs);
  }

  /** Counters of this store since start. */
  stats(): CacheStats {
    const c = this.counters;
    const s = this.backend.stats?.() ?? {};
    const reads = c.hits + c.misses;
    const out: CacheStats = {
      hits: c.hits,
      misses: c.misses,
      hitRatio: reads === 0 ? 0 : c.hits / reads,
      writes: c.writes,
      deletes: c.deletes,
      evictions: s.evictions ?? 0,
      errors: c.errors,
      staleHits: c.staleHits,
    };
    if (s.entries !== undefined) out.entries = s.entries;
    if (s.bytes !== undefined) out.bytes = s.bytes;
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Internals shared with TaggedCache

  /** @internal */
  async writeOne(key: string, value: unknown, ttl: TtlArg, tags: readonly string[] | undefined): Promise<boolean> {
    const k = this.key(key);
    checkValue(key, value);
    const ttlMs = this.resolveTtl(ttl);
    this.invalidate(k);
    const versions = tags ? await this.tagVersions(tags, true) : undefined;
    const start = this.started();
    const store = this.backend;
    let ok = true;
    if (store.setSync !== undefined) {
      try {
        store.setSync(k, wrap(value, versions), ttlMs);
      } catch (err) {
        ok = this.writeFailed('set', key, err, start);
      }
    } else {
      ok = await this.failOpen(
        'set',
        key,
        async () => {
          await store.set(k, wrap(value, versions), ttlMs);
          return true;
        },
        false,
      );
    }
    if (this.meter.active) this.measured('set', ok ? 'ok' : 'error', start, key);
    if (ok) {
      this.counters.writes++;
      this.emit('write', key, start);
    }
    return ok;
  }

  /** @internal */
  async addTagged(key: string, value: unknown, ttl: TtlArg, tags: readonly string[] | undefined): Promise<boolean> {
    const k = this.key(key);
    checkValue(key, value);
    const ttlMs = this.resolveTtl(ttl);
    const versions = tags ? await this.tagVersions(tags, true) : undefined;
    const stored = wrap(value, versions);
    const start = this.started();
    const tryAdd = async (): Promise<boolean> => {
      if (this.backend.add) return this.backend.add(k, stored, ttlMs);
      // Not atomic across processes: see docs/custom-stores.md.
      if ((await this.backend.get(k)) !== undefined) return false;
      await this.backend.set(k, stored, ttlMs);
      return true;
    };
    const added = await this.metered(
      'add',
      start,
      key,
      this.strict('add', async () => {
        if (await tryAdd()) return true;
        // What is there may be dead to every reader (a flushed tag, a stale SWR value): then the
        // key is absent as far as `add` is concerned. Remove it if unchanged, and try once more.
        const raw = await this.backend.get(k);
        if (raw !== undefined) {
          if (!isEnvelope(raw) || !(await this.isDead(raw))) return false;
          const again = await this.backend.get(k);
          if (again !== undefined) {
            if (!isEnvelope(again) || !sameEnvelope(again, raw)) return false;
            await this.backend.delete(k);
          }
        }
        return tryAdd();
      }),
    );
    if (added) {
      this.invalidate(k);
      this.counters.writes++;
      this.emit('write', key, start);
    }
    return added;
  }

  /** @internal */
  async setManyTagged(
    entries: Record<string, unknown> | Iterable<readonly [string, unknown]>,
    ttl: TtlArg,
    tags: readonly string[] | undefined,
  ): Promise<boolean> {
    const pairs = toPairs(entries);
    const ttlMs = this.resolveTtl(ttl);
    for (const [key, value] of pairs) checkValue(key, value);
    const versions = tags ? await this.tagVersions(tags, true) : undefined;
    const list: StoreEntry[] = pairs.map(([key, value]) => {
      const k = this.key(key);
      this.invalidate(k);
      return { key: k, value: wrap(value, versions), ttlMs };
    });
    const start = this.started();
    const ok = await this.failOpen(
      'setMany',
      pairs.map((p) => p[0]).join(','),
      async () => {
        if (this.backend.setMany) await this.backend.setMany(list);
        else await Promise.all(list.map((e) => this.backend.set(e.key, e.value, e.ttlMs)));
        return true;
      },
      false,
    );
    if (this.meter.active) this.measured('setMany', ok ? 'ok' : 'error', start, pairs.map((p) => p[0]).join(','));
    if (ok) {
      this.counters.writes += list.length;
      if (start) for (const [key] of pairs) this.emit('write', key, start);
    }
    return ok;
  }

  /** @internal */
  async rememberTagged<T>(
    key: string,
    ttl: TtlArg,
    loader: () => T | Promise<T>,
    options: RememberOptions | undefined,
    tags: readonly string[] | undefined,
  ): Promise<T> {
    const k = this.readKey(key);
    if (typeof loader !== 'function') {
      throw new CacheArgumentError(`remember(${JSON.stringify(key)}): loader must be a function`);
    }
    const plan = this.planRemember(ttl, options);
    const scope = dependencyScope.getStore();
    const start = this.started();
    let raw: unknown;
    try {
      const store = this.backend;
      raw = store.getSync !== undefined ? store.getSync(k) : await store.get(k);
    } catch (err) {
      raw = this.readFailed('get', key, err);
      // The store just failed: do not wait on it again for tags, a lock or the write.
      plan.storeDown = true;
    }
    if (raw !== undefined && !isEnvelope(raw)) {
      // Hot path: a plain hit carries no tags to pass up.
      this.count(true, key, start);
      if (this.meter.active) this.measured('remember', 'hit', start, key);
      return raw as T;
    }
    const entry = raw === undefined ? undefined : await this.unwrap(k, raw as Envelope, key);
    if (entry !== undefined && (!entry.stale || plan.staleMs !== undefined)) {
      this.count(true, key, start);
      if (this.meter.active) this.measured('remember', entry.stale ? 'stale' : 'hit', start, key);
      if (entry.stale) {
        this.counters.staleHits++;
        this.emit('stale', key, start);
        void this.flights
          .run(k, () => this.load(k, key, plan, loader, tags))
          .catch(() => undefined /* fail-safe: already logged; stale value keeps being served */);
      }
      if (scope && entry.tags) Object.assign(scope.tags, entry.tags);
      return entry.value as T;
    }
    this.count(false, key, start);
    // The loader's own time is the application's, not the cache's: measured up to the miss.
    if (this.meter.active) this.measured('remember', plan.storeDown ? 'error' : 'miss', start, key);
    const result = await this.flights.run(k, () => this.load(k, key, plan, loader, tags));
    if (scope && result.tags) Object.assign(scope.tags, result.tags);
    return result.value as T;
  }

  /**
   * @internal For the admin API: the entry under `key` as a reader would see it, without counting
   * a read. `ttlMs` is `Infinity` when it never expires, `undefined` when the store cannot tell.
   * Throws {@link CacheUnavailableError} when the store is down.
   */
  async inspect(key: string): Promise<{ value: unknown; tags: string[]; ttlMs: number | undefined } | undefined> {
    const k = this.key(key);
    const raw = await this.strict('get', () => this.backend.get(k));
    if (raw === undefined) return undefined;
    const entry = isEnvelope(raw) ? await this.unwrap(k, raw, key) : { value: raw, stale: false, tags: undefined };
    if (entry === undefined || entry.stale) return undefined;
    let ttlMs: number | undefined;
    if (isEnvelope(raw) && raw.f !== undefined) ttlMs = raw.f - this.settings.clock.now();
    else if (this.backend.ttl) ttlMs = await this.strict('ttl', () => this.backend.ttl!(k));
    return { value: entry.value, tags: Object.keys(entry.tags ?? {}), ttlMs };
  }

  /** @internal */
  async flushTags(tags: readonly string[]): Promise<void> {
    // Deleting a tag's version key invalidates every entry written under that version: O(1) per tag.
    const keys = tags.map((t) => this.tagKey(t));
    const start = this.started();
    const flushed = this.strict('flush', async () => {
      if (this.backend.deleteMany) await this.backend.deleteMany(keys);
      else await Promise.all(keys.map((k) => this.backend.delete(k)));
    });
    await this.metered('flush', start, tags.join(','), flushed);
    this.emit('flush', tags.join(','), start, undefined, tags);
  }

  // ------------------------------------------------------------------------------------------
  // Private machinery

  private planRemember(ttl: TtlArg, options: RememberOptions | undefined): RememberPlan {
    let ttlMs = this.resolveTtl(ttl);
    const staleMs = parseOptionalTtl(options?.staleTtl, 'staleTtl');
    const jitter = options?.jitter;
    if (jitter !== undefined) {
      if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
        throw new CacheArgumentError(`Invalid jitter: ${String(jitter)}. Expected a fraction between 0 and 1`);
      }
      if (ttlMs !== undefined) ttlMs = Math.max(1, Math.round(ttlMs * (1 - Math.random() * jitter)));
    }
    const lock = options?.lock ?? this.settings.lock ?? false;
    return {
      ttlMs,
      staleMs,
      lock,
      lockTimeoutMs: lock ? parseTtl(options?.lockTimeout ?? '10s', 'lockTimeout') : 0,
      lockTtlMs: lock ? parseTtl(options?.lockTtl ?? '30s', 'lockTtl') : 0,
    };
  }

  private async load(
    k: string,
    key: string,
    plan: RememberPlan,
    loader: () => unknown,
    tags: readonly string[] | undefined,
  ): Promise<{ value: unknown; tags?: Record<string, string> }> {
    const flight: InFlight = { invalidated: false };
    this.inflight.set(k, flight);
    let lease: Lease | undefined;
    try {
      // Tag versions are read before the loader runs: a flush during the loader makes the
      // result outdated on arrival (write-race protection across processes).
      if (plan.storeDown) {
        return { value: isTracking() ? await dependencyScope.run({ tags: {} }, loader) : await loader() };
      }
      const versions = tags ? await this.tagVersionsOpen(tags) : undefined;
      if (plan.lock) {
        // A store that cannot lock must not stop remember: the loader then runs unlocked (fail open).
        lease = await this.acquire(k, key, plan).catch((err: unknown) => {
          if (err instanceof CacheUnavailableError) return undefined;
          throw err;
        });
        if (lease && !lease.held) {
          const entry = await this.readEntry(k, key);
          if (entry !== undefined && !entry.stale) return { value: entry.value, tags: entry.tags };
        }
      }
      const scope: DependencyScope = { tags: {} };
      const tracked = isTracking();
      const value = tracked ? await dependencyScope.run(scope, loader) : await loader();
      const allTags = { ...scope.tags, ...versions };
      if (value === undefined) return { value };
      checkValue(key, value);
      if (!flight.invalidated && tracked === isTracking()) {
        const now = this.settings.clock.now();
        const freshUntil = plan.staleMs !== undefined && plan.ttlMs !== undefined ? now + plan.ttlMs : undefined;
        const hardTtl = freshUntil !== undefined ? plan.ttlMs! + plan.staleMs! : plan.ttlMs;
        const stored = wrap(value, allTags, freshUntil);
        const start = this.started();
        const ok = await this.failOpen(
          'set',
          key,
          async () => {
            await this.backend.set(k, stored, hardTtl);
            return true;
          },
          false,
        );
        if (this.meter.active) this.measured('set', ok ? 'ok' : 'error', start, key);
        if (ok) {
          this.counters.writes++;
          this.emit('write', key, start);
        }
      }
      return { value, tags: Object.keys(allTags).length ? allTags : undefined };
    } finally {
      if (this.inflight.get(k) === flight) this.inflight.delete(k);
      if (lease?.held) await lease.release();
    }
  }

  private async acquire(k: string, key: string, plan: RememberPlan): Promise<Lease> {
    const lockKey = leaseKey(this.ns, k.slice(this.ns ? this.ns.length + 1 : 0));
    const token = lockToken();
    const store = this.backend;
    const ttlMs = plan.lockTtlMs;
    const tryAcquire = () => this.strict('lock', () => tryLock(store, lockKey, token, ttlMs));
    const hold = () => holdLease(store, lockKey, token, ttlMs, (op, err) => this.report(op, lockKey, err));
    if (await tryAcquire()) return hold();
    // Somebody else is loading: wait for the value to land (notification or polling), then re-check.
    const start = this.started();
    const deadline = Date.now() + plan.lockTimeoutMs;
    let delay = 25;
    while (Date.now() < deadline) {
      await waitForHolder(store, k, deadline - Date.now(), delay);
      delay = Math.min(delay * 2, 250);
      const entry = await this.readEntry(k, key);
      if (entry !== undefined && !entry.stale) break;
      if (await tryAcquire()) {
        this.emit('lock-wait', key, start);
        return hold();
      }
    }
    this.emit('lock-wait', key, start);
    return { held: false, release: async () => undefined };
  }

  private async incrementFallback(k: string, key: string, by: number, ttlMs: number | undefined): Promise<number> {
    // Not atomic across processes: see docs/custom-stores.md.
    const current = await this.backend.get(k);
    const base = current === undefined ? 0 : current;
    if (typeof base !== 'number') {
      throw new CacheArgumentError(
        `Cannot increment key ${JSON.stringify(key)}: it holds a ${typeof base}, not a number`,
      );
    }
    const next = base + by;
    let keep = ttlMs;
    if (current !== undefined) {
      const left = this.backend.ttl ? await this.backend.ttl(k) : undefined;
      keep = left === undefined || left === Infinity ? undefined : Math.max(1, left);
    }
    await this.backend.set(k, next, keep);
    return next;
  }

  private resolveTtl(ttl: TtlArg): number | undefined {
    if (ttl === FOREVER) return undefined;
    if (ttl === undefined) return this.settings.defaultTtlMs;
    return parseTtl(ttl);
  }

  /** The store key of a user key (namespaced, checked). */
  private key(key: string): string {
    return this.keys.get(key) ?? normalizeKey(key, this.ns);
  }

  /**
   * {@link key} for reads, which also memoise it: keys that are read are the hot ones. Writes
   * only look up, so filling a cache with new keys leaves no memo garbage behind in old space.
   */
  private readKey(key: string): string {
    let k = this.keys.get(key);
    if (k === undefined) {
      k = normalizeKey(key, this.ns);
      if (key.length <= MEMO_KEY_LENGTH) {
        if (this.keys.size >= MEMO_KEYS) this.keys.clear();
        this.keys.set(key, k);
      }
    }
    return k;
  }

  private invalidate(k: string): void {
    if (this.inflight.size === 0) return;
    const flight = this.inflight.get(k);
    if (flight) flight.invalidated = true;
  }

  private tagKey(tag: string): string {
    let k = this.tagKeys.get(tag);
    if (k === undefined) {
      k = tagVersionKey(this.ns, tag);
      if (this.tagKeys.size >= MEMO_KEYS) this.tagKeys.clear();
      this.tagKeys.set(tag, k);
    }
    return k;
  }

  /**
   * Current version of each tag; with `create`, missing tags get a fresh random version
   * (`add`, so concurrent writers in several processes agree on one).
   */
  private tagVersions(tags: readonly string[], create: boolean): Promise<Record<string, string>> {
    return this.strict('tags', () => this.fetchTagVersions(tags, create));
  }

  private fetchTagVersions(tags: readonly string[], create: boolean): Promise<Record<string, string>> {
    return readTagVersions(
      this.backend,
      tags,
      tags.map((t) => this.tagKey(t)),
      create,
    );
  }

  /** Tag versions for remember: on failure the loader still runs (fail open), nothing gets stored. */
  private async tagVersionsOpen(tags: readonly string[]): Promise<Record<string, string>> {
    try {
      return await this.tagVersions(tags, true);
    } catch (err) {
      if (isCallerError(err, 'tags')) throw err;
      // An impossible version: the entry will read as invalid.
      return Object.fromEntries(tags.map((t) => [t, '\u0000unavailable']));
    }
  }

  private async readRaw(k: string, key: string): Promise<unknown> {
    return this.failOpen('get', key, () => this.backend.get(k), undefined);
  }

  private async readFresh(k: string, key: string): Promise<Entry | undefined> {
    const entry = await this.readEntry(k, key);
    return entry === undefined || entry.stale ? undefined : entry;
  }

  /** A failed store read: the caller's own errors surface, backend failures become a miss. */
  private readFailed(op: string, key: string, err: unknown): undefined {
    if (isCallerError(err, op)) throw this.withUserKey(err);
    this.report(op, key, err);
    return undefined;
  }

  private async readEntry(k: string, key: string): Promise<Entry | undefined> {
    let raw: unknown;
    try {
      raw = await this.backend.get(k);
    } catch (err) {
      raw = this.readFailed('get', key, err);
    }
    if (raw === undefined) return undefined;
    if (!isEnvelope(raw)) return { value: raw, stale: false };
    return this.unwrap(k, raw, key);
  }

  private async unwrap(k: string, env: Envelope, key: string): Promise<Entry | undefined> {
    if (this.backend.getSync !== undefined) return this.unwrapSync(k, env, key);
    const stale = env.f !== undefined && this.settings.clock.now() >= env.f;
    if (!env.t) return { value: env.v, stale };
    trackDependencies();
    const names = Object.keys(env.t);
    const current = await this.failOpen('tags', key, () => this.fetchTagVersions(names, false), undefined);
    return this.checkTags(k, env, stale, names, current);
  }

  /** {@link unwrap} on a store that reads synchronously (memory): no promise per tagged read. */
  private unwrapSync(k: string, env: Envelope, key: string): Entry | undefined {
    const stale = env.f !== undefined && this.settings.clock.now() >= env.f;
    if (!env.t) return { value: env.v, stale };
    trackDependencies();
    const names = Object.keys(env.t);
    let current: Record<string, string> | undefined;
    try {
      current = {};
      for (const name of names) {
        const version = this.backend.getSync!(this.tagKey(name));
        if (typeof version === 'string') current[name] = version;
      }
    } catch (err) {
      current = this.readFailed('tags', key, err);
    }
    return this.checkTags(k, env, stale, names, current);
  }

  /** The entry if every tag still has the version it was written with; else reclaims it. */
  private checkTags(
    k: string,
    env: Envelope,
    stale: boolean,
    names: readonly string[],
    current: Record<string, string> | undefined,
  ): Entry | undefined {
    if (current === undefined) return undefined;
    for (const name of names) {
      if (current[name] !== env.t![name]) {
        reclaimOutdated(this.backend, k, env);
        return undefined;
      }
    }
    return { value: env.v, stale, tags: env.t };
  }

  private async unwrapMany(ks: string[], raws: unknown[], keys: readonly string[]): Promise<(Entry | undefined)[]> {
    const tagNames = new Set<string>();
    for (const raw of raws) if (isEnvelope(raw) && raw.t) for (const t of Object.keys(raw.t)) tagNames.add(t);
    let current: Record<string, string> | undefined = {};
    if (tagNames.size) trackDependencies();
    if (tagNames.size)
      current = await this.failOpen(
        'tags',
        keys.join(','),
        () => this.fetchTagVersions([...tagNames], false),
        undefined,
      );
    const now = this.settings.clock.now();
    return raws.map((raw, i) => {
      if (raw === undefined) return undefined;
      if (!isEnvelope(raw)) return { value: raw, stale: false };
      if (raw.f !== undefined && now >= raw.f) return undefined;
      if (raw.t) {
        if (!current) return undefined;
        for (const [t, v] of Object.entries(raw.t)) {
          if (current[t] !== v) {
            reclaimOutdated(this.backend, ks[i], raw);
            return undefined;
          }
        }
      }
      return { value: raw.v, stale: false, tags: raw.t };
    });
  }

  /** Whether a wrapped entry is invisible to every reader: stale, or carrying a flushed tag. */
  private async isDead(env: Envelope): Promise<boolean> {
    if (env.f !== undefined && this.settings.clock.now() >= env.f) return true;
    if (!env.t) return false;
    const names = Object.keys(env.t);
    const current = await this.fetchTagVersions(names, false);
    return names.some((n) => current[n] !== env.t![n]);
  }

  private count(hit: boolean, key: string, start: number): void {
    if (hit) this.counters.hits++;
    else this.counters.misses++;
    if (this.settings.events.enabled) this.emit(hit ? 'hit' : 'miss', key, start);
  }

  /** @internal The store dropped `k` (a namespaced key) to make room. */
  evicted(k: string): void {
    if (!this.settings.events.enabled) return;
    const key = this.ns && k.startsWith(this.ns + ':') ? k.slice(this.ns.length + 1) : k;
    this.emit('evict', key);
  }

  /** Start of an operation for event durations; 0 (and no clock read) when nobody listens. */
  private started(): number {
    return this.settings.events.enabled || (this.meter.active && this.meter.timing()) ? performance.now() : 0;
  }

  /** Reports one finished operation to the meter (callers check `meter.active` first). */
  private measured(op: CacheOperationName, result: CacheOperationResult, start: number, key: string): void {
    this.meter.record(this.tallies, op, result, start, key, result === 'error' ? this.lastError : undefined);
  }

  /** {@link measured}, with `error` when a store failure was counted since `errors` (fail-open paths). */
  private measuredSince(
    errors: number,
    op: CacheOperationName,
    result: CacheOperationResult,
    start: number,
    key: string,
  ): void {
    this.measured(op, this.counters.errors !== errors ? 'error' : result, start, key);
  }

  /** Awaits a strict store call, reporting `ok` or `error` to the meter. */
  private async metered<T>(op: CacheOperationName, start: number, key: string, call: Promise<T>): Promise<T> {
    if (!this.meter.active) return call;
    try {
      const value = await call;
      this.measured(op, 'ok', start, key);
      return value;
    } catch (err) {
      // The caller's own mistakes (bad arguments) are no store operation.
      if (err instanceof CacheUnavailableError) this.measured(op, 'error', start, key);
      throw err;
    }
  }

  private emit(type: CacheEventType, key: string, start?: number, error?: unknown, tags?: readonly string[]): void {
    const events = this.settings.events;
    if (!events.enabled) return;
    events.emit({
      type,
      store: this.name,
      key,
      durationMs: start ? round(performance.now() - start) : 0,
      ...(error !== undefined ? { error } : {}),
      ...(tags ? { tags: [...tags] } : {}),
    });
  }

  private report(op: string, key: string, err: unknown, start?: number): void {
    this.counters.errors++;
    this.lastError = err;
    this.settings.errorLog.error(
      `Cache store "${this.name}" failed on ${op} (${JSON.stringify(key)}): ${errorMessage(err)}`,
    );
    this.emit('error', key, start, err);
  }

  /** Stores see prefixed keys; errors shown to the caller name the caller's key. */
  private withUserKey(err: unknown): unknown {
    if (!(err instanceof CacheSerializationError) || !err.key || !this.ns || !err.key.startsWith(this.ns + ':'))
      return err;
    const userKey = err.key.slice(this.ns.length + 1);
    const message = err.message.replace(JSON.stringify(err.key), JSON.stringify(userKey));
    return new CacheSerializationError(message, userKey, { cause: err.cause });
  }

  /** A synchronous store write failed: caller errors are thrown, store errors logged (`false`). */
  private writeFailed(op: string, key: string, err: unknown, start: number): false {
    if (isCallerError(err, op)) throw this.withUserKey(err);
    this.report(op, key, err, start);
    return false;
  }

  /** Runs a store call; on a backend failure logs, counts and returns `fallback`. */
  private async failOpen<T>(op: string, key: string, fn: () => Promise<T>, fallback: T): Promise<T> {
    const start = this.started();
    try {
      return await fn();
    } catch (err) {
      if (isCallerError(err, op)) throw this.withUserKey(err);
      this.report(op, key, err, start);
      return fallback;
    }
  }

  /** Runs a store call; on a backend failure logs, counts and throws CacheUnavailableError. */
  private async strict<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const start = this.started();
    try {
      return await fn();
    } catch (err) {
      if (isCallerError(err, op)) throw this.withUserKey(err);
      this.report(op, '', err, start);
      throw err instanceof CacheUnavailableError ? err : new CacheUnavailableError(this.name, op, err);
    }
  }
}
