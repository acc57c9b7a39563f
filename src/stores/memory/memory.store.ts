import { CacheSerializationError } from '../../core/cache.errors';
import { incremented } from '../../core/increment';
import type { Clock } from '../../core/clock';
import { systemClock } from '../../core/clock';
import type { CacheStore, StoreEntry, StoreStats } from '../../core/store.types';
import { estimateSize } from './value-size';
import { resolveMemoryStoreOptions, type MemoryIsolation, type MemoryStoreOptions } from './memory-store.options';
import { frozenCopy } from './value-freeze';
import { LruTable } from './lru-table';
import { WriteShapes } from './write-shapes';
import { Held, HeldEnvelope, TagMaps } from './held-values';

export type { MemoryIsolation, MemoryStoreOptions } from './memory-store.options';

/** `null` is a value like any other, but the LRU cannot hold it directly. */
const NULL: object = Object.freeze({ null: true });

/**
 * A bounded in-process LRU store (its table in lru-table.ts), with per-entry TTL, optional byte
 * bound, value isolation, and a periodic sweep of expired entries off the hot path. Every
 * operation has a synchronous twin (`getSync`, `deleteSync`, `incrementSync`...) with the same
 * behaviour, which the async methods call: `cache.sync` runs on them.
 */
export class MemoryStore implements CacheStore {
  private readonly lru: LruTable;
  private readonly isolation: MemoryIsolation;
  private evictions = 0;
  private readonly timer?: NodeJS.Timeout;
  private readonly trackBytes: boolean;
  private readonly maxBytes: number;
  private readonly shapes = new WriteShapes();
  /** The shared tag maps of tagged envelopes held with isolation `clone`. */
  private readonly tagMaps = new TagMaps();

  constructor(
    options: MemoryStoreOptions = {},
    private readonly clock: Clock = systemClock,
    private readonly name = 'memory',
    /** Told about each key evicted to make room (for `evict` events). */
    onEvict?: (key: string) => void,
  ) {
    const { maxEntries: max, maxBytes, isolation, pruneInterval } = resolveMemoryStoreOptions(options, name);
    this.isolation = isolation;
    this.trackBytes = maxBytes !== undefined;
    this.maxBytes = maxBytes ?? Infinity;
    // Reads reuse a read of the real clock for a millisecond; a manual clock (tests) is read every time.
    this.lru = new LruTable(max, this.maxBytes, clock, clock === systemClock, (k) => {
      this.evictions++;
      onEvict?.(k);
    });
    if (pruneInterval > 0) {
      this.timer = setInterval(() => this.prune(), pruneInterval);
      this.timer.unref();
    }
  }

  /** Removes every expired entry now. Runs on its own every `pruneInterval`. */
  prune(): number {
    return this.lru.purgeStale();
  }

  async get(key: string): Promise<unknown> {
    return this.getSync(key);
  }

  /**
   * @internal A number that changes whenever a tag version held here may have changed (a
   * version key written, deleted, evicted, cleared), or `-1` once one has held a TTL (it could
   * expire unseen; until `clear`). While it stays the same, versions a cache read from this store
   * are current.
   */
  versionEpoch(): number {
    return this.lru.expiringVersions ? -1 : this.lru.versionChanges;
  }

  getSync(key: string): unknown {
    return this.read(this.lru.get(key));
  }

  setSync(key: string, value: unknown, ttlMs?: number): void {
    this.write(key, value, ttlMs);
  }

  async has(key: string): Promise<boolean> {
    return this.lru.has(key);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.setSync(key, value, ttlMs);
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    if (this.lru.has(key)) return false;
    this.write(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteSync(key);
  }

  deleteSync(key: string): boolean {
    return this.lru.delete(key);
  }

  /** Empties the whole store (every namespace). `cache.clear()` calls {@link clearNamespace}. */
  async clear(): Promise<void> {
    // Every version key is gone (the table's epoch moves on); none is left to expire.
    this.lru.clear();
  }

  /**
   * Removes the keys of one namespace only (one instance may serve several caches: two managers,
   * two names, the L1 of a two-tier store). A scan of every key, off the hot paths; when the
   * namespace holds every key, the store is emptied at once.
   */
  async clearNamespace(namespace: string): Promise<void> {
    this.clearNamespaceSync(namespace);
  }

  clearNamespaceSync(namespace: string): void {
    if (namespace === '') return this.lru.clear();
    const mine = namespace + ':';
    const doomed: string[] = [];
    for (const k of this.lru.keys()) if (k.startsWith(mine)) doomed.push(k);
    if (doomed.length === this.lru.size) return this.lru.clear();
    for (const k of doomed) this.lru.delete(k);
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    return keys.map((k) => this.read(this.lru.get(k)));
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    this.setManySync(entries);
  }

  setManySync(entries: readonly StoreEntry[]): void {
    // Copy and size everything first so one bad value writes nothing.
    const stored = entries.map((e) => this.prepare(e.key, e.value));
    const sizes = entries.map((e, i) => this.sizeFor(e.key, stored[i]));
    entries.forEach((e, i) => this.put(e.key, stored[i], e.ttlMs, sizes[i]));
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    return this.deleteManySync(keys);
  }

  deleteManySync(keys: readonly string[]): number {
    let n = 0;
    for (const k of keys) if (this.lru.delete(k)) n++;
    return n;
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    return this.incrementSync(key, by, ttlMs);
  }

  incrementSync(key: string, by: number, ttlMs?: number): number {
    const current = this.lru.get(key);
    const next = incremented(key, current === NULL ? null : current, by);
    if (current === undefined)
      this.put(key, next as unknown as object, ttlMs, this.sizeFor(key, next as unknown as object));
    // The entry keeps its expiry.
    else this.lru.set(key, next, undefined, this.trackBytes ? entrySize(next as unknown as object, key) : 0);
    return next;
  }

  async ttl(key: string): Promise<number | undefined> {
    return this.ttlSync(key);
  }

  ttlSync(key: string): number | undefined {
    if (!this.lru.has(key)) return undefined;
    // `remaining` reads the clock now (reads reuse one for up to 1 ms, which could answer a
    // little more than was set: 300.001 s right after a 300 s set).
    const left = this.lru.remaining(key);
    return left === undefined ? undefined : Math.floor(left);
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    return this.touchSync(key, ttlMs);
  }

  touchSync(key: string, ttlMs?: number): boolean {
    const value = this.lru.get(key);
    if (value === undefined) return false;
    // Re-set the same (already copied) value with the new TTL.
    this.lru.set(key, value, this.expiresAt(ttlMs), this.trackBytes ? entrySize(value as object, key) : 0);
    return true;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }

  stats(): StoreStats {
    const stats: StoreStats = { entries: this.lru.size, evictions: this.evictions };
    if (this.trackBytes) stats.bytes = this.lru.calculatedSize;
    return stats;
  }

  /** The expiry instant of an entry written now (0: never). The instant itself counts as expired. */
  private expiresAt(ttlMs: number | undefined): number {
    return ttlMs === undefined ? 0 : this.clock.now() + ttlMs;
  }

  /**
   * What the LRU holds for a value: the value, NULL, or a validated private copy: held for
   * copies on read (`clone`), or deep-frozen and returned as it is (`freeze`).
   */
  private prepare(key: string, value: unknown): object {
    const isolation = this.isolation;
    if (isolation === 'none') return value === null ? NULL : (value as object);
    const copy = this.shapes.copy(value, key);
    if (copy === null) return NULL;
    if (typeof copy !== 'object') return copy as object;
    const read = this.shapes.last?.read;
    if (isolation === 'freeze') {
      // Readers get the held object itself: a plain copy (a shape's `write` builds objects of its
      // own constructors), frozen once.
      const frozen = frozenCopy(copy);
      if (frozen !== undefined) return frozen;
    }
    return this.tagMaps.hold(copy) ?? new Held(copy, read);
  }

  private write(key: string, value: unknown, ttlMs: number | undefined): void {
    const stored = this.prepare(key, value);
    this.put(key, stored, ttlMs, this.sizeFor(key, stored));
  }

  /**
   * The bytes an entry counts against `maxBytes` (0 without the bound). A value larger than the
   * whole bound is refused: lru-cache would drop it without a word (a `set` that resolved but
   * kept nothing, an `add` that succeeded twice), evicting nothing.
   * @throws CacheSerializationError naming the key, the limit and the store
   */
  private sizeFor(key: string, stored: object): number {
    if (!this.trackBytes) return 0;
    const size = entrySize(stored, key);
    if (size > this.maxBytes) {
      throw new CacheSerializationError(
        `Value for key ${JSON.stringify(key)} is about ${size} bytes, over maxBytes (${this.maxBytes}) of memory store ${JSON.stringify(this.name)}; nothing was written`,
        key,
      );
    }
    return size;
  }

  private put(key: string, stored: object, ttlMs: number | undefined, size: number): void {
    this.lru.set(key, stored, this.expiresAt(ttlMs), size);
  }

  private read(stored: unknown): unknown {
    if (stored === undefined) return undefined;
    if (stored === NULL) return null;
    if (stored instanceof Held) return stored.copy();
    return stored instanceof HeldEnvelope ? stored.copy() : stored;
  }
}

/** What an entry counts against `maxBytes`: the key, a fixed overhead and the value's estimate. */
function entrySize(v: object, k: string): number {
  const value = v instanceof Held ? v.value : v instanceof HeldEnvelope ? v.view() : v;
  return 32 + k.length * 2 + (value === NULL ? 8 : estimateSize(value));
}
