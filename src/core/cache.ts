// The Cache facade: the public API of one store. One concept, longer than 300 lines only because
// every public method sits here with its JSDoc. What belongs here:
// - the public methods, each short, delegating to the collaborators below;
// - the bodies of the three hot paths, inline: `get` (hit), `write` (set) and the hit part of
//   `rememberWith`. On a plain entry each runs exactly one `await`, on the store-call line (none
//   on a synchronous store); nothing else on them is awaited, allocated or called through a
//   closure. `get` and `rememberWith` hold deliberate twins of the same inline read, and
//   `getWithTags` (a tagged view's get on a store with the `getWithTags` hook: the entry and the
//   view's tag versions in one store call) a third.
// What does not: everything else lives in a collaborator built once in the constructor, held in
// a readonly field, synchronous where a hot path touches it:
//   keys    CacheKeys       cache-keys.ts                 user key → store key (memo), tag/lock keys
//   meter   CacheMeter      cache-meter.ts                counters, stats, events, operation meter
//   guard   StoreGuard      store-access/store-guard.ts   fail-open / strict failure policy
//   entries TaggedEntries   tags/tagged-entries.ts        envelopes, tag versions, tagged reads
//   loads   RememberLoader  remember/remember-loader.ts   single-flight, leases, SWR refresh
//   expiry  EntryExpiry     entry-expiry.ts               ttl, touch and inspect of one entry
//   (plus store-access/store-fallbacks.ts, remember/remember-plan.ts, cache-args.ts: functions;
//   locks, funnels and the request memo in core/locks and core/memo, handed the store here).
// A new public method goes in the section it belongs to, as a short delegation; a new concept
// gets its own collaborator (a file or folder under core/), not a block of private methods here.
import { UnreadableEntry } from './store-access/unreadable-entry';
import { checkKeyList, checkLoader, checkStep, checkValue, fallbackValue, normalizeTags, toPairs } from './cache-args';
import { CacheKeys } from './cache-keys';
import { CacheMeter } from './cache-meter';
import { EntryExpiry } from './entry-expiry';
import type { CacheApi, SyncCache } from './cache-api';
import type { CacheSettings } from './cache-settings';
import type { CacheStats, HealthReport, RememberOptions, StoreHealth } from './cache.types';
import { isEnvelope, wrap, type Envelope } from './envelope';
import { CacheFunnel, type FunnelOptions } from './locks/cache-funnel';
import { Lock, type LockOptions, type LockSite } from './locks/cache-lock';
import { checkRestoredOwner } from './locks/lock-args';
import { memoOf } from './memo/request-memo';
import { dependencyScope } from './remember/dependency-scope';
import { planRemember } from './remember/remember-plan';
import { RememberLoader } from './remember/remember-loader';
import * as fallbacks from './store-access/store-fallbacks';
import { StoreGuard } from './store-access/store-guard';
import { clearOwnKeys } from './store-access/namespace-clear';
import { SyncCacheView } from './sync-cache';
import { checkValueSize } from './value-limit';
import { probeStore } from './store-access/store-probe';
import type { CacheStore, StoreEntry } from './store.types';
import { TaggedCache, type TaggedAccess } from './tagged-cache';
import { MISS, REFETCH, TaggedEntries, type Entry } from './tags/tagged-entries';
import { putOwn } from './own-record';
import { FOREVER, resolveTtlArg, type Ttl, type TtlArg } from './ttl';

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
  private readonly keys: CacheKeys;
  private readonly meter: CacheMeter;
  private readonly guard: StoreGuard;
  private readonly entries: TaggedEntries;
  private readonly loads: RememberLoader;
  private readonly expiry: EntryExpiry;
  /** What a {@link TaggedCache} reads and writes through: built once, shared by every tagged view. */
  private readonly tagged: TaggedAccess;
  /** What locks and funnels use of this cache (built on first use). */
  private locks?: LockSite;
  private syncView?: SyncCache;

  constructor(private readonly settings: CacheSettings<Cache>) {
    this.name = settings.name;
    const store = (this.backend = settings.store);
    const keys = (this.keys = new CacheKeys(settings.namespace, settings.ownKeys));
    const meter = (this.meter = new CacheMeter(settings.name, settings.events, settings.meter, keys));
    const guard = (this.guard = new StoreGuard(settings.name, settings.errorLog, meter, keys));
    const entries = (this.entries = new TaggedEntries(store, keys, guard, settings.clock));
    this.loads = new RememberLoader({ store, keys, guard, meter, entries }, settings.clock, settings.maxValueBytes);
    this.expiry = new EntryExpiry(settings.name, store, entries, guard, settings.clock);
    this.tagged = {
      name: settings.name,
      // Chosen once (a store's hooks are fixed): on a synchronous store, or one without
      // `getWithTags`, a plain `get` (which checks the tags in place), with no frame in between.
      get:
        store.getWithTags === undefined || store.getSync !== undefined
          ? (key, fallback) => this.get(key, fallback)
          : (key, fallback, tags) => this.getWithTags(key, fallback, tags),
      write: (key, value, ttl, tags) => this.write(key, value, ttl, tags),
      add: (key, value, ttl, tags) => this.addWith(key, value, ttl, tags),
      setMany: (list, ttl, tags) => this.setManyWith(list, ttl, tags),
      remember: (key, ttl, loader, options, tags) => this.rememberWith(key, ttl, loader, options, tags),
      flush: (tags) => this.flushTags(tags),
    };
    settings.evictions?.((k) => meter.evicted(k));
  }

  /** The default TTL of this store in ms (`undefined`: entries never expire by default). */
  get defaultTtlMs(): number | undefined {
    return this.settings.defaultTtlMs;
  }

  /** The underlying store, for store-specific operations. */
  get driver(): CacheStore {
    return this.backend;
  }

  /**
   * This cache without promises, on a store that answers synchronously (memory): {@link SyncCache}.
   * @throws CacheUnsupportedError naming the store on any other store
   */
  get sync(): SyncCache {
    const { keys, meter, guard, entries, loads } = this;
    return (this.syncView ??= new SyncCacheView(this.settings, { keys, meter, guard, entries, loads }));
  }

  // ------------------------------------------------------------------------------------------
  // Reads

  /** The cached value, or `fallback` (a value or a function producing one), or `undefined`. */
  async get<T = unknown>(key: string): Promise<T | undefined>;
  async get<T = unknown>(key: string, fallback: T | (() => T | Promise<T>)): Promise<T>;
  async get<T = unknown>(key: string, fallback?: T | (() => T | Promise<T>)): Promise<T | undefined> {
    const k = this.keys.get(key);
    const start = this.meter.started();
    // Hot path: one await on the store; only wrapped entries (tags, SWR) take the slow path.
    // Deliberate inline twins: the read in rememberWith and the body of getWithTags below (kept
    // inline on purpose: no helper, no extra frame, no closure on a hot read). Everything cold
    // (the failure, the fallback) is a call out of line: V8 inlines this body into its caller
    // only below 460 bytes of bytecode (docs/benchmarks.md, Core split A/B). A two-tier store's
    // L1 hit is read from its in-process tier (`nearSync`, through `peekNear`, which V8 inlines):
    // no frame of the two-tier store in between.
    const store = this.backend;
    let raw: unknown;
    try {
      if (store.getSync !== undefined) raw = store.getSync(k);
      else if ((raw = fallbacks.peekNear(store, k)) === undefined) raw = await store.get(k);
    } catch (err) {
      return this.missAfterFailure(key, err, start, fallback);
    }
    let hit = raw !== undefined;
    if (!hit) this.keys.checkMissed(key);
    else if (isEnvelope(raw)) {
      // A synchronous store checks the tags in place, no entry allocated.
      raw =
        store.getSync !== undefined
          ? this.entries.freshValueSync(k, raw, key)
          : await this.entries.freshValue(k, raw, key);
      hit = raw !== MISS;
    }
    this.meter.read('get', hit, key, start);
    return hit ? (raw as T) : fallbackValue(fallback);
  }

  /**
   * A tagged view's `get` on a store with `getWithTags` (and no `getSync`): the body of `get` with the versions read at
   * once. A deliberate inline twin of `get` (its failure and fallback lines are the same on purpose:
   * a shared helper would put a frame or a closure on the tagged hot read).
   */
  private async getWithTags<T>(
    key: string,
    fallback: T | (() => T | Promise<T>) | undefined,
    tags: readonly string[],
  ): Promise<T | undefined> {
    const k = this.keys.read(key);
    const start = this.meter.started();
    let found: unknown[];
    try {
      found = await this.backend.getWithTags!(k, this.entries.tagKeys(tags));
    } catch (err) {
      return this.missAfterFailure(key, err, start, fallback);
    }
    let raw = found[0];
    let hit = raw !== undefined;
    if (hit && isEnvelope(raw)) {
      let entry = this.entries.unwrapFound(k, raw, tags, found);
      if (entry === REFETCH) entry = await this.entries.unwrapRest(k, raw, key, tags);
      hit = entry !== undefined && !entry.stale;
      raw = entry?.value;
    }
    this.meter.read('get', hit, key, start);
    return hit ? (raw as T) : fallbackValue(fallback);
  }

  /** `get` (and its twin) after the store failed: logged, counted, a miss; the fallback's value. */
  private missAfterFailure<T>(
    key: string,
    err: unknown,
    start: number,
    fallback: T | (() => T | Promise<T>) | undefined,
  ): T | Promise<T> | undefined {
    this.guard.readFailed('get', key, err);
    this.meter.missAfterFailure('get', key, start);
    return fallbackValue(fallback);
  }

  /** Whether a fresh value is cached under `key`. */
  async has(key: string): Promise<boolean> {
    const k = this.keys.read(key);
    const start = this.meter.started();
    const errors = this.meter.errors;
    const found = (await this.entries.readFresh(k, key)) !== undefined;
    this.meter.ended('has', found ? 'hit' : 'miss', start, key, errors);
    return found;
  }

  /** Values for many keys, in one round trip where the store can. Misses are `undefined`. */
  async getMany<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    checkKeyList('getMany', keys);
    // One pass per stage, nothing allocated per key but the result: the cost per key stays flat
    // from 10 keys to 10,000 (docs/benchmarks.md, scale.getMany).
    const ks = this.keys.many(keys);
    const start = this.meter.started();
    const errors = this.meter.errors;
    const n = keys.length;
    let raws: unknown[];
    try {
      raws = await fallbacks.getMany(this.backend, ks);
    } catch (err) {
      // The whole batch failed: one report naming its keys, every key a miss.
      this.guard.readFailed('getMany', keys, err, start);
      raws = new Array<unknown>(n).fill(undefined);
    }
    let wrapped = false;
    for (let i = 0; i < n; i++) {
      // One unreadable entry of the batch is one miss and one counted error; the others stand.
      const raw = raws[i];
      if (raw === undefined) continue;
      if (raw instanceof UnreadableEntry) raws[i] = this.guard.readFailed('getMany', keys[i], raw.error);
      else if (isEnvelope(raw)) wrapped = true;
    }
    const values = wrapped ? await this.entries.valuesOfMany(ks, raws, keys) : raws;
    const out: Record<string, T | undefined> = {};
    for (let i = 0; i < n; i++) {
      const value = values[i] as T | undefined;
      // One timed sample per call: the keys share one round trip.
      this.meter.readOfMany(value !== undefined, keys[i], i === 0 ? start : 0, errors);
      putOwn(out, keys[i], value);
    }
    return out;
  }

  /** Remaining seconds: `Infinity` when the entry never expires, `undefined` when it is missing. */
  async ttl(key: string): Promise<number | undefined> {
    const start = this.meter.started();
    const errors = this.meter.errors;
    const left = await this.expiry.remaining(this.keys.lookup(key), key);
    this.meter.ended('ttl', left === undefined ? 'miss' : 'hit', start, key, errors);
    return left;
  }

  // ------------------------------------------------------------------------------------------
  // Writes

  /** Stores a value. Resolves `true`, or `false` when the store failed (logged and counted). */
  set(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.write(key, value, ttl, undefined);
  }

  /** Stores a value that never expires, whatever the defaults. */
  forever(key: string, value: unknown): Promise<boolean> {
    return this.write(key, value, FOREVER, undefined);
  }

  /** Stores only if absent (atomic where the store can). Resolves whether it stored. */
  add(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
    return this.addWith(key, value, ttl, undefined);
  }

  /** Stores many values, in one round trip where the store can. */
  setMany(entries: Record<string, unknown> | Iterable<readonly [string, unknown]>, ttl?: Ttl): Promise<boolean> {
    return this.setManyWith(entries, ttl, undefined);
  }

  /** Removes a key. Resolves whether something was removed. */
  async delete(key: string): Promise<boolean> {
    const k = this.keys.lookup(key);
    const start = this.meter.started();
    this.loads.invalidate(k);
    const errors = this.meter.errors;
    const removed = await this.guard.failOpen('delete', key, () => this.backend.delete(k), false);
    this.meter.deleted('delete', removed ? 1 : 0, key, start, errors);
    return removed;
  }

  /** Removes many keys; resolves how many were removed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    checkKeyList('deleteMany', keys);
    const ks = keys.map((key) => this.keys.lookup(key));
    ks.forEach((k) => this.loads.invalidate(k));
    const start = this.meter.started();
    const errors = this.meter.errors;
    const n = await this.guard.failOpen('deleteMany', keys, () => fallbacks.deleteMany(this.backend, ks), 0);
    this.meter.deleted('deleteMany', n, keys, start, errors);
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
    this.loads.invalidateAll();
    const start = this.meter.started();
    await this.guard.strict('clear', () => clearOwnKeys(this.backend, this.keys.ns, this.name), 'clear', start, '*');
    this.meter.ended('clear', 'ok', start, '*');
    this.meter.emit('delete', '*', start);
  }

  /** Adds `by` (default 1) atomically; a missing key starts at 0 and gets `ttl`. Throws when the store is down. */
  async increment(key: string, by = 1, ttl?: Ttl): Promise<number> {
    const k = this.keys.lookup(key);
    checkStep('increment', key, by);
    const ttlMs = resolveTtlArg(ttl, this.settings.defaultTtlMs);
    this.loads.invalidate(k);
    const start = this.meter.started();
    const store = this.backend;
    const result = await this.guard.strict(
      'increment',
      () => (store.increment ? store.increment(k, by, ttlMs) : fallbacks.incrementByGetSet(store, k, by, ttlMs)),
      'increment',
      start,
      key,
    );
    this.meter.wrote('increment', key, start);
    return result;
  }

  /** Subtracts `by` (default 1); see {@link increment}. */
  async decrement(key: string, by = 1, ttl?: Ttl): Promise<number> {
    checkStep('decrement', key, by);
    return this.increment(key, -by, ttl);
  }

  /** Resets the expiry (to `ttl` or the default). Resolves whether the key existed. */
  async touch(key: string, ttl?: Ttl): Promise<boolean> {
    const start = this.meter.started();
    const errors = this.meter.errors;
    const k = this.keys.lookup(key);
    const existed = await this.expiry.touch(k, key, resolveTtlArg(ttl, this.settings.defaultTtlMs));
    this.meter.ended('touch', 'ok', start, key, errors);
    return existed;
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
    return this.rememberWith(key, ttl, loader, options, undefined);
  }

  /** {@link remember} without expiry. */
  rememberForever<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: Omit<RememberOptions, 'staleTtl' | 'jitter'>,
  ): Promise<T> {
    return this.rememberWith(key, FOREVER, loader, options, undefined);
  }

  // ------------------------------------------------------------------------------------------
  // Tags, other stores, health, stats

  /** A cache whose writes carry these tags; `flush()` removes every entry carrying any of them. */
  tags(tags: string | readonly string[]): TaggedCache {
    return new TaggedCache(this, this.tagged, normalizeTags(tags));
  }

  /** The cache of another configured store. */
  store(name: string): Cache {
    return this.settings.resolve(name);
  }

  // Locks, funnels and the request memo live in core/locks and core/memo; these only hand them the store.
  lock(name: string, ttl?: Ttl, options?: LockOptions): Lock {
    return new Lock(this.lockSite(), name, ttl, options);
  }
  restoreLock(name: string, owner: string, ttl?: Ttl): Lock {
    checkRestoredOwner(name, owner);
    return new Lock(this.lockSite(), name, ttl, {}, owner);
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
      namespace: this.keys.ns,
      now: () => this.settings.clock.now(),
      report: (op, err) => this.guard.report(op, '', err),
    });
  }

  /** Pings the store. `status` is `degraded` when an optional part (a two-tier store's L2) is down. */
  async health(): Promise<HealthReport> {
    return { [this.name]: await this.checkHealth() };
  }

  /** Whether every store reported by {@link health} is up (degraded counts as up). */
  async isHealthy(): Promise<boolean> {
    const report = await this.health();
    return Object.values(report).every((h) => h.status !== 'down');
  }

  /** Health of this store alone. */
  checkHealth(timeoutMs = 1000): Promise<StoreHealth> {
    return probeStore(this.backend, this.keys.ns, timeoutMs);
  }

  /** Counters of this store since start. */
  stats(): CacheStats {
    return this.meter.snapshot(this.backend.stats?.() ?? {});
  }

  // ------------------------------------------------------------------------------------------
  // The bodies behind the public writes and remember (plain and tagged: `tags` is undefined
  // for the plain cache). Private: TaggedCache reaches them through `this.tagged`.

  /** `set`: hot path. One await on the store (none on a synchronous one). */
  private async write(key: string, value: unknown, ttl: TtlArg, tags: readonly string[] | undefined): Promise<boolean> {
    const k = this.keys.lookup(key);
    checkValue(key, value);
    const ttlMs = resolveTtlArg(ttl, this.settings.defaultTtlMs);
    this.loads.invalidate(k);
    const versions = tags ? await this.entries.versionsForWrite(tags) : undefined;
    const start = this.meter.started();
    // A tagged write whose tag versions could not be read stores nothing (counted as failed).
    let ok = tags === undefined || versions !== undefined;
    if (ok) {
      const stored = wrap(value, versions);
      const max = this.settings.maxValueBytes;
      if (max !== undefined) checkValueSize(key, stored, max);
      // Inline, as in `get`: one await on the store (none on a synchronous one), no closure
      // and no promise of our own; small enough for V8 to inline (docs/benchmarks.md).
      const store = this.backend;
      try {
        if (store.setSync !== undefined) store.setSync(k, stored, ttlMs);
        else await store.set(k, stored, ttlMs);
      } catch (err) {
        ok = this.guard.writeFailed('set', key, err, start);
      }
    }
    if (ok) this.meter.wrote('set', key, start);
    else this.meter.writeFailed('set', key, start);
    return ok;
  }

  private async addWith(
    key: string,
    value: unknown,
    ttl: TtlArg,
    tags: readonly string[] | undefined,
  ): Promise<boolean> {
    const k = this.keys.lookup(key);
    checkValue(key, value);
    const ttlMs = resolveTtlArg(ttl, this.settings.defaultTtlMs);
    const versions = tags ? await this.entries.versions(tags, true) : undefined;
    const stored = wrap(value, versions);
    const max = this.settings.maxValueBytes;
    if (max !== undefined) checkValueSize(key, stored, max);
    const start = this.meter.started();
    const added = await this.guard.strict('add', () => this.entries.add(k, stored, ttlMs), 'add', start, key);
    if (added) {
      this.loads.invalidate(k);
      this.meter.wrote('add', key, start);
    } else this.meter.ended('add', 'ok', start, key);
    return added;
  }

  private async setManyWith(
    entries: Record<string, unknown> | Iterable<readonly [string, unknown]>,
    ttl: TtlArg,
    tags: readonly string[] | undefined,
  ): Promise<boolean> {
    const pairs = toPairs(entries);
    const ttlMs = resolveTtlArg(ttl, this.settings.defaultTtlMs);
    for (const [key, value] of pairs) checkValue(key, value);
    const versions = tags ? await this.entries.versionsForWrite(tags) : undefined;
    if (tags && versions === undefined) {
      this.meter.writeFailed('setMany', pairs.map((p) => p[0]).join(','), 0);
      return false;
    }
    const list: StoreEntry[] = pairs.map(([key, value]) => {
      const k = this.keys.lookup(key);
      this.loads.invalidate(k);
      return { key: k, value: wrap(value, versions), ttlMs };
    });
    // The whole call is checked first: one oversized entry and nothing is written.
    const max = this.settings.maxValueBytes;
    if (max !== undefined) list.forEach((e, i) => checkValueSize(pairs[i][0], e.value, max));
    const start = this.meter.started();
    const keys = pairs.map((p) => p[0]);
    const ok = await this.guard.failOpen(
      'setMany',
      keys,
      async () => {
        await fallbacks.setMany(this.backend, list);
        return true;
      },
      false,
    );
    if (ok) this.meter.wroteMany(keys, start);
    else this.meter.writeFailed('setMany', keys.join(','), start);
    return ok;
  }

  /** `remember`: the hit is the hot path (one await on the store); misses go to the loader. */
  private async rememberWith<T>(
    key: string,
    ttl: TtlArg,
    loader: () => T | Promise<T>,
    options: RememberOptions | undefined,
    tags: readonly string[] | undefined,
  ): Promise<T> {
    const k = this.keys.read(key);
    checkLoader(key, loader);
    const plan = planRemember(ttl, options, this.settings.defaultTtlMs, this.settings.lock);
    const start = this.meter.started();
    // Inline twin of the read in get (kept inline on purpose: no helper, no extra frame).
    // Through a tagged view, on a store that can: the entry and the view's tag versions at once.
    let raw: unknown;
    let found: unknown[] | undefined;
    const store = this.backend;
    const seen = this.loads.stored;
    try {
      if (store.getSync !== undefined) raw = store.getSync(k);
      else if (tags === undefined || store.getWithTags === undefined) {
        if ((raw = fallbacks.peekNear(store, k)) === undefined) raw = await store.get(k);
      } else raw = (found = await store.getWithTags(k, this.entries.tagKeys(tags)))[0];
    } catch (err) {
      raw = this.guard.readFailed('get', key, err);
      // The store just failed: do not wait on it again for tags, a lock or the write.
      plan.storeDown = true;
    }
    if (raw !== undefined && !isEnvelope(raw)) {
      // Hot path: a plain hit carries no tags to pass up.
      this.meter.read('remember', true, key, start);
      return raw as T;
    }
    // The dependency scope of an enclosing remember (only needed past the plain hit).
    const scope = dependencyScope.getStore();
    let entry: Entry | undefined;
    if (raw === undefined) entry = undefined;
    else if (store.getSync !== undefined) entry = this.entries.unwrapSync(k, raw as Envelope, key);
    else if (found === undefined) entry = await this.entries.unwrap(k, raw as Envelope, key);
    else {
      const e = this.entries.unwrapFound(k, raw as Envelope, tags!, found);
      entry = e === REFETCH ? await this.entries.unwrapRest(k, raw as Envelope, key, tags!) : e;
    }
    if (entry !== undefined && (!entry.stale || plan.staleMs !== undefined)) {
      if (entry.stale) {
        this.meter.stale(key, start);
        this.loads.refresh(k, key, plan, loader, tags);
      } else this.meter.read('remember', true, key, start);
      if (scope && entry.tags) Object.assign(scope.tags, entry.tags);
      return entry.value as T;
    }
    // The loader's own time is the application's, not the cache's: measured up to the miss.
    if (plan.storeDown) this.meter.missAfterFailure('remember', key, start);
    else this.meter.read('remember', false, key, start);
    const result = await this.loads.run(k, key, plan, loader, tags, seen);
    if (scope && result.tags) Object.assign(scope.tags, result.tags);
    return result.value as T;
  }

  /**
   * @internal For the admin API: the entry under `key` as a reader would see it, without counting
   * a read. `ttlMs` is `Infinity` when it never expires, `undefined` when the store cannot tell.
   * Throws {@link CacheUnavailableError} when the store is down.
   */
  async inspect(key: string): Promise<{ value: unknown; tags: string[]; ttlMs: number | undefined } | undefined> {
    return this.expiry.inspect(this.keys.lookup(key), key);
  }

  private async flushTags(tags: readonly string[]): Promise<void> {
    // Deleting a tag's version key invalidates every entry written under that version: O(1) per tag.
    const keys = tags.map((t) => this.keys.tag(t));
    const start = this.meter.started();
    const flushed = tags.join(',');
    await this.guard.strict(
      'flush',
      async () => {
        await fallbacks.deleteMany(this.backend, keys);
      },
      'flush',
      start,
      flushed,
    );
    this.meter.ended('flush', 'ok', start, flushed);
    this.meter.emit('flush', flushed, start, undefined, tags);
  }
}
