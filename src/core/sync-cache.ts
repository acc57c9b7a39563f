// `cache.sync`: the Cache API without promises, on stores that answer synchronously (memory).
// Same checks, keys, TTL defaults, envelopes (tags, stale-while-revalidate), counters, events
// and write-race protection as the Promise API: it runs on the cache's own collaborators, so
// the two cannot disagree about what a key holds. One concept (the Cache API's synchronous
// twin, method for method), hence a file over 300 lines.
import { checkKeyList, checkLoader, checkStep, checkValue, toPairs } from './cache-args';
import type { CacheEntries, SyncCache, SyncRememberOptions } from './cache-api';
import type { CacheKeys } from './cache-keys';
import type { CacheMeter } from './cache-meter';
import type { CacheSettings } from './cache-settings';
import { CacheArgumentError, CacheUnavailableError, CacheUnsupportedError } from './cache.errors';
import type { Clock } from './clock';
import { isEnvelope, retouch, wrap, type Envelope } from './envelope';
import { dependencyScope, isTracking, type DependencyScope } from './remember/dependency-scope';
import type { RememberLoader } from './remember/remember-loader';
import { planRemember } from './remember/remember-plan';
import { isCallerError, type StoreGuard } from './store-access/store-guard';
import type { CacheStore, StoreEntry } from './store.types';
import { isSyncStore, type SyncStore } from './sync-store';
import type { Entry, TaggedEntries } from './tags/tagged-entries';
import { checkValueSize } from './value-limit';
import { putOwn } from './own-record';
import { resolveTtlArg, type Ttl } from './ttl';

/** The collaborators a {@link SyncCacheView} shares with its `Cache` (internal). */
export interface SyncCacheParts {
  keys: CacheKeys;
  meter: CacheMeter;
  guard: StoreGuard;
  entries: TaggedEntries;
  loads: RememberLoader;
}

interface Parts extends SyncCacheParts {
  name: string;
  store: CacheStore;
  clock: Clock;
  defaultTtlMs: number | undefined;
  maxValueBytes: number | undefined;
}

/**
 * The {@link SyncCache} of one cache, on its own collaborators (member docs: the interface).
 * Not exported from the package: users see the interface only.
 */
export class SyncCacheView implements SyncCache {
  readonly #p: Parts;
  readonly #store: SyncStore;

  /** @throws CacheUnsupportedError naming the store when it cannot answer synchronously */
  constructor(settings: CacheSettings, parts: SyncCacheParts) {
    const { name, store, clock, defaultTtlMs, maxValueBytes } = settings;
    if (!isSyncStore(store)) {
      throw new CacheUnsupportedError(
        name,
        'sync',
        `Cache store "${name}" cannot answer synchronously: cache.sync works on memory stores only; use the Promise API (await cache.get(...)) on this one`,
      );
    }
    this.#p = { ...parts, name, store, clock, defaultTtlMs, maxValueBytes };
    this.#store = store;
  }

  get<T = unknown>(key: string): T | undefined;
  get<T = unknown>(key: string, fallback: T | (() => T)): T;
  get<T = unknown>(key: string, fallback?: T | (() => T)): T | undefined {
    const { keys, meter } = this.#p;
    const k = keys.read(key);
    const start = meter.started();
    const entry = this.#read(k, key, 'get');
    const hit = entry !== undefined && entry !== null && !entry.stale;
    if (entry === null) meter.missAfterFailure('get', key, start);
    else meter.read('get', hit, key, start);
    if (hit) return entry.value as T;
    return typeof fallback === 'function' ? (fallback as () => T)() : fallback;
  }

  has(key: string): boolean {
    const { keys, meter } = this.#p;
    const k = keys.read(key);
    const start = meter.started();
    const errors = meter.errors;
    const entry = this.#read(k, key, 'get');
    const found = entry !== undefined && entry !== null && !entry.stale;
    meter.ended('has', found ? 'hit' : 'miss', start, key, errors);
    return found;
  }

  set(key: string, value: unknown, ttl?: Ttl): boolean {
    const { keys, meter, guard, loads } = this.#p;
    const k = keys.lookup(key);
    checkValue(key, value);
    const ttlMs = resolveTtlArg(ttl, this.#p.defaultTtlMs);
    loads.invalidate(k);
    const stored = wrap(value);
    this.#limit(key, stored);
    const start = meter.started();
    try {
      this.#store.setSync(k, stored, ttlMs);
    } catch (err) {
      guard.writeFailed('set', key, err, start);
      meter.writeFailed('set', key, start);
      return false;
    }
    meter.wrote('set', key, start);
    return true;
  }

  add(key: string, value: unknown, ttl?: Ttl): boolean {
    const { keys, meter, loads } = this.#p;
    const k = keys.lookup(key);
    checkValue(key, value);
    const ttlMs = resolveTtlArg(ttl, this.#p.defaultTtlMs);
    const stored = wrap(value);
    this.#limit(key, stored);
    const start = meter.started();
    // Read and write with nothing in between: atomic in this process, which is all memory has.
    const added = this.#strict('add', start, key, () => {
      if (this.#live(k, key) !== undefined) return false;
      this.#store.setSync(k, stored, ttlMs);
      return true;
    });
    if (added) {
      loads.invalidate(k);
      meter.wrote('add', key, start);
    } else meter.ended('add', 'ok', start, key);
    return added;
  }

  delete(key: string): boolean {
    const { keys, meter, guard, loads } = this.#p;
    const k = keys.lookup(key);
    const start = meter.started();
    loads.invalidate(k);
    const errors = meter.errors;
    let removed = false;
    try {
      removed = this.#store.deleteSync(k);
    } catch (err) {
      guard.writeFailed('delete', key, err, start);
    }
    meter.deleted('delete', removed ? 1 : 0, key, start, errors);
    return removed;
  }

  pull<T = unknown>(key: string): T | undefined {
    const value = this.get<T>(key);
    if (value !== undefined) this.delete(key);
    return value;
  }

  getMany<T = unknown>(keys: readonly string[]): Record<string, T | undefined> {
    checkKeyList('getMany', keys);
    const { meter } = this.#p;
    const ks = this.#p.keys.many(keys);
    const start = meter.started();
    const errors = meter.errors;
    const entries = ks.map((k, i) => this.#read(k, keys[i], 'getMany'));
    const out: Record<string, T | undefined> = {};
    entries.forEach((entry, i) => {
      const hit = entry !== undefined && entry !== null && !entry.stale;
      // One timed sample per call, as the Promise API's one round trip.
      meter.readOfMany(hit, keys[i], i === 0 ? start : 0, errors);
      putOwn(out, keys[i], hit ? (entry.value as T) : undefined);
    });
    return out;
  }

  setMany(entries: CacheEntries, ttl?: Ttl): boolean {
    const { keys, meter, guard, loads } = this.#p;
    const pairs = toPairs(entries);
    const ttlMs = resolveTtlArg(ttl, this.#p.defaultTtlMs);
    for (const [key, value] of pairs) checkValue(key, value);
    const list: StoreEntry[] = pairs.map(([key, value]) => {
      const k = keys.lookup(key);
      loads.invalidate(k);
      return { key: k, value: wrap(value), ttlMs };
    });
    list.forEach((e, i) => this.#limit(pairs[i][0], e.value));
    const names = pairs.map((p) => p[0]);
    const start = meter.started();
    try {
      this.#store.setManySync(list);
    } catch (err) {
      guard.writeFailed('setMany', names, err, start);
      meter.writeFailed('setMany', names.join(','), start);
      return false;
    }
    meter.wroteMany(names, start);
    return true;
  }

  deleteMany(keys: readonly string[]): number {
    checkKeyList('deleteMany', keys);
    const { meter, guard, loads } = this.#p;
    const ks = keys.map((key) => this.#p.keys.lookup(key));
    ks.forEach((k) => loads.invalidate(k));
    const start = meter.started();
    const errors = meter.errors;
    let n = 0;
    try {
      n = this.#store.deleteManySync(ks);
    } catch (err) {
      guard.writeFailed('deleteMany', keys, err, start);
    }
    meter.deleted('deleteMany', n, keys, start, errors);
    return n;
  }

  increment(key: string, by = 1, ttl?: Ttl): number {
    const { keys, meter, loads } = this.#p;
    const k = keys.lookup(key);
    checkStep('increment', key, by);
    const ttlMs = resolveTtlArg(ttl, this.#p.defaultTtlMs);
    loads.invalidate(k);
    const start = meter.started();
    const result = this.#strict('increment', start, key, () => this.#store.incrementSync(k, by, ttlMs));
    meter.wrote('increment', key, start);
    return result;
  }

  decrement(key: string, by = 1, ttl?: Ttl): number {
    checkStep('decrement', key, by);
    return this.increment(key, -by, ttl);
  }

  ttl(key: string): number | undefined {
    const { meter } = this.#p;
    const start = meter.started();
    const errors = meter.errors;
    const left = this.#ttl(key);
    meter.ended('ttl', left === undefined ? 'miss' : 'hit', start, key, errors);
    return left;
  }

  #ttl(key: string): number | undefined {
    const k = this.#p.keys.lookup(key);
    const raw = this.#raw(k, key);
    if (raw === undefined) return undefined;
    if (isEnvelope(raw)) {
      const entry = this.#p.entries.unwrapSync(k, raw, key);
      if (entry === undefined || entry.stale) return undefined;
      if (raw.f !== undefined) return (raw.f - this.#p.clock.now()) / 1000;
    }
    const ms = this.#open('ttl', key, () => this.#store.ttlSync(k), undefined);
    return ms === undefined ? undefined : ms === Infinity ? Infinity : ms / 1000;
  }

  touch(key: string, ttl?: Ttl): boolean {
    const { keys, meter, clock } = this.#p;
    const k = keys.lookup(key);
    const ttlMs = resolveTtlArg(ttl, this.#p.defaultTtlMs);
    const start = meter.started();
    const errors = meter.errors;
    const raw = this.#raw(k, key);
    if (raw === undefined) {
      meter.ended('touch', 'ok', start, key, errors);
      return false;
    }
    const store = this.#store;
    let touched: boolean;
    if (isEnvelope(raw) && raw.f !== undefined) {
      // A stale-while-revalidate entry keeps its stale window after the new fresh part.
      if (this.#p.entries.unwrapSync(k, raw, key) === undefined) return false;
      const hardMs = this.#open('ttl', key, () => store.ttlSync(k), undefined);
      const next = retouch(raw as Envelope & { f: number }, ttlMs, hardMs, clock.now());
      touched = this.#open('touch', key, () => (store.setSync(k, next.env, next.storeTtlMs), true), false);
    } else {
      touched = this.#open('touch', key, () => store.touchSync(k, ttlMs), false);
    }
    meter.ended('touch', 'ok', start, key, errors);
    return touched;
  }

  remember<T>(key: string, ttl: Ttl | undefined, loader: () => T, options?: SyncRememberOptions): T {
    const { keys, meter, loads } = this.#p;
    const k = keys.read(key);
    checkLoader(key, loader);
    const plan = planRemember(ttl, options, this.#p.defaultTtlMs, false);
    const start = meter.started();
    const entry = this.#read(k, key, 'get');
    const scope = dependencyScope.getStore();
    if (entry !== undefined && entry !== null && (!entry.stale || plan.staleMs !== undefined)) {
      if (entry.stale) {
        meter.stale(key, start);
        loads.refresh(k, key, plan, loader, undefined);
      } else meter.read('remember', true, key, start);
      if (scope && entry.tags) Object.assign(scope.tags, entry.tags);
      return entry.value as T;
    }
    if (entry === null) meter.missAfterFailure('remember', key, start);
    else meter.read('remember', false, key, start);
    const own: DependencyScope = { tags: {} };
    const value = isTracking() ? dependencyScope.run(own, loader) : loader();
    if (value instanceof Promise || (typeof value === 'object' && value !== null && 'then' in value)) {
      throw new CacheArgumentError(
        `sync.remember(${JSON.stringify(key)}): the loader returned a Promise; use await cache.remember(...) for async loaders`,
      );
    }
    if (value === undefined) return value;
    checkValue(key, value);
    const tags = Object.keys(own.tags).length ? own.tags : undefined;
    if (entry !== null) {
      const now = this.#p.clock.now();
      const freshUntil = plan.staleMs !== undefined && plan.ttlMs !== undefined ? now + plan.ttlMs : undefined;
      const hardTtl = freshUntil !== undefined ? plan.ttlMs! + plan.staleMs! : plan.ttlMs;
      loads.invalidate(k);
      const stored = wrap(value, tags, freshUntil);
      this.#limit(key, stored);
      const at = meter.started();
      try {
        this.#store.setSync(k, stored, hardTtl);
        meter.wrote('set', key, at);
      } catch (err) {
        this.#p.guard.writeFailed('set', key, err, at);
        meter.writeFailed('set', key, at);
      }
    }
    if (scope && tags) Object.assign(scope.tags, tags);
    return value;
  }

  /**
   * @internal For the HTTP cache's hit path, which must count what `remember` counts: the value
   * under `key` when it is a fresh hit that `accept` takes, counted as a `remember` hit. Otherwise
   * `undefined`, with nothing counted or reported (absent, stale, refused, unreadable, store
   * failure): the caller's own `remember` then reads, counts and handles it once.
   */
  freshHit(key: string, accept: (value: unknown) => boolean): unknown {
    const { keys, meter, entries } = this.#p;
    const k = keys.read(key);
    const start = meter.started();
    let raw: unknown;
    try {
      raw = this.#store.getSync(k);
    } catch {
      return undefined;
    }
    if (raw === undefined) return undefined;
    let value: unknown = raw;
    if (isEnvelope(raw)) {
      const entry = entries.unwrapSync(k, raw, key);
      if (entry === undefined || entry.stale) return undefined;
      value = entry.value;
    }
    if (!accept(value)) return undefined;
    meter.read('remember', true, key, start);
    return value;
  }

  /**
   * The entry under `k` (stale or not), `undefined` on a miss, or `null` when the store failed
   * (reported; callers treat it as a miss, counted once by the guard's report).
   */
  #read(k: string, key: string, op: string): Entry | undefined | null {
    let raw: unknown;
    try {
      raw = this.#store.getSync(k);
    } catch (err) {
      this.#p.guard.readFailed(op, key, err);
      return null;
    }
    if (raw === undefined) return undefined;
    if (!isEnvelope(raw)) return { value: raw, stale: false };
    return this.#p.entries.unwrapSync(k, raw, key);
  }

  /** The fresh entry under `k` (throws on a store failure: for `add`, which must not guess). */
  #live(k: string, key: string): Entry | undefined {
    const raw = this.#store.getSync(k);
    if (raw === undefined) return undefined;
    if (!isEnvelope(raw)) return { value: raw, stale: false };
    const entry = this.#p.entries.unwrapSync(k, raw, key);
    return entry === undefined || entry.stale ? undefined : entry;
  }

  #raw(k: string, key: string): unknown {
    return this.#open('get', key, () => this.#store.getSync(k), undefined);
  }

  /** The store's `maxValueBytes` on what a write is about to store (the caller's `key` in the error). */
  #limit(key: string, stored: unknown): void {
    const max = this.#p.maxValueBytes;
    if (max !== undefined) checkValueSize(key, stored, max);
  }

  /** A store call failing open: backend errors are reported and give `fallback`. */
  #open<T, F>(op: string, key: string, fn: () => T, fallback: F): T | F {
    try {
      return fn();
    } catch (err) {
      this.#p.guard.readFailed(op, key, err);
      return fallback;
    }
  }

  /** A store call whose failure the caller must see: `CacheUnavailableError`. */
  #strict<T>(op: 'add' | 'increment', start: number, key: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const { guard, meter } = this.#p;
      if (isCallerError(err, op)) throw guard.withUserKey(err);
      guard.report(op, '', err, start);
      meter.ended(op, 'error', start, key);
      throw err instanceof CacheUnavailableError ? err : new CacheUnavailableError(this.#p.name, op, err);
    }
  }
}
