import type { Clock } from '../../core/clock';
import { mayBeTagVersionKey } from '../../core/keys';

/** How long a read of the clock is reused by `get` on the real clock (what lru-cache's `ttlResolution: 1` did). */
const NOW_REUSE_MS = 1;

/**
 * The memory store's table: a bounded LRU of `key → value` with an expiry instant and a size per
 * entry, held the way lru-cache holds entries (one Map from key to slot, then parallel arrays
 * indexed by slot: keys, values, LRU links), with two differences that the store's hot rows
 * measured (docs/benchmarks.md, issue 19):
 * - one `Float64Array` of expiry instants (0: never), where lru-cache keeps a start and a TTL
 *   (8 bytes less per entry);
 * - a `get` small enough for V8 to inline into `Cache.get` with the store around it (lru-cache's
 *   `get` and `#get`, with their status and background-fetch handling, were ~800 bytes of
 *   bytecode, over TurboFan's cumulative inlining budget).
 * An entry is expired from its expiry instant on (the instant itself included), as in every store.
 */
export class LruTable {
  private readonly slots = new Map<string, number>();
  private readonly keyList: (string | undefined)[];
  private readonly valList: unknown[];
  private readonly next: Uint32Array;
  private readonly prev: Uint32Array;
  /** Epoch ms at which each entry expires (0: never); allocated on the first entry with a TTL. */
  private expires: Float64Array | undefined;
  /** Each entry's size (only with `maxSize`). */
  private readonly sizes: Float64Array | undefined;
  /**
   * 1 where the slot's key may be a tag version key: `mayBeTagVersionKey` (a substring search)
   * runs once when a key is inserted, not on every overwrite or removal (it was ~15% of a
   * memory `set`'s instructions, docs/benchmarks.md).
   */
  private readonly versionKeys: Uint8Array;
  private readonly free: number[] = [];
  private head = 0;
  private tail = 0;
  /** Slots handed out so far (a slot below it is live or on `free`). */
  private fill = 0;
  /** Live entries. */
  size = 0;
  /** Sum of the live entries' sizes. */
  calculatedSize = 0;
  /**
   * Moves on whenever a value under a tag version key (`\0t:`) is overwritten or removed (deleted,
   * evicted, expired on read or sweep, cleared): every change goes through {@link set},
   * {@link remove} or {@link clear}, so no caller can change a version without it (the memory
   * store's `versionEpoch`).
   */
  versionChanges = 0;
  /**
   * A version key was given an expiry (set, add, setMany, increment of a new key, touch with a
   * TTL): it may expire while nobody reads it, so no epoch can vouch for it. Reset by {@link clear}.
   */
  expiringVersions = false;
  /** The clock read reused by reads (0: read it again). */
  private cachedNow = 0;
  private readonly forgetNow = (): void => {
    this.cachedNow = 0;
  };

  constructor(
    private readonly max: number,
    private readonly maxSize: number,
    private readonly clock: Clock,
    /** Reuse a clock read for a millisecond (the real clock); a manual clock is read every time. */
    private readonly reuseNow: boolean,
    /** Told about each entry dropped to make room. */
    private readonly onEvict: (key: string) => void,
  ) {
    this.keyList = new Array<string | undefined>(max);
    this.valList = new Array<unknown>(max);
    this.next = new Uint32Array(max);
    this.prev = new Uint32Array(max);
    this.versionKeys = new Uint8Array(max);
    this.sizes = maxSize < Infinity ? new Float64Array(max) : undefined;
  }

  /** The value of a live entry, made the most recently used; `undefined` when absent or expired. */
  get(key: string): unknown {
    const i = this.slots.get(key);
    if (i === undefined) return undefined;
    const expires = this.expires;
    if (expires !== undefined && expires[i] !== 0 && expires[i] <= this.now()) {
      this.remove(i);
      return undefined;
    }
    if (i !== this.tail) this.moveToTail(i);
    return this.valList[i];
  }

  /** {@link get} without making the entry the most recently used (and without removing it when expired). */
  peek(key: string): unknown {
    const i = this.slots.get(key);
    return i === undefined || this.expired(i) ? undefined : this.valList[i];
  }

  /** Whether a live entry is held (the LRU order does not change). */
  has(key: string): boolean {
    const i = this.slots.get(key);
    return i !== undefined && !this.expired(i);
  }

  /** Remaining ms of a live entry (`Infinity` without expiry), `undefined` when absent or expired; reads the clock now. */
  remaining(key: string): number | undefined {
    const i = this.slots.get(key);
    if (i === undefined) return undefined;
    const at = this.expires === undefined ? 0 : this.expires[i];
    if (at === 0) return Infinity;
    const left = at - this.clock.now();
    return left > 0 ? left : undefined;
  }

  /**
   * Stores `value` under `key` as the most recently used entry, expiring at `expiresAt` (epoch ms;
   * 0: never), counting `size` against `maxSize` (the caller refuses a size over it). Makes room
   * by evicting the least recently used entries. `expiresAt` `undefined` keeps the entry's expiry.
   */
  set(key: string, value: unknown, expiresAt: number | undefined, size: number): void {
    let i = this.slots.get(key);
    if (i === undefined) {
      i = this.slot();
      this.slots.set(key, i);
      this.keyList[i] = key;
      this.versionKeys[i] = mayBeTagVersionKey(key) ? 1 : 0;
      if (this.size++ === 0) this.head = i;
      else this.link(this.tail, i);
      this.tail = i;
      if (expiresAt === undefined) expiresAt = 0;
    } else {
      if (this.versionKeys[i] === 1) this.versionChanges++;
      if (i !== this.tail) this.moveToTail(i);
    }
    this.valList[i] = value;
    if (expiresAt !== undefined && (expiresAt !== 0 || this.expires !== undefined)) {
      (this.expires ??= new Float64Array(this.max))[i] = expiresAt;
      if (expiresAt !== 0 && this.versionKeys[i] === 1) this.expiringVersions = true;
    }
    const sizes = this.sizes;
    if (sizes !== undefined) {
      this.calculatedSize += size - sizes[i];
      sizes[i] = size;
      while (this.calculatedSize > this.maxSize && this.head !== i) this.evict();
    }
  }

  /** Removes the entry of `key`; whether one was held (expired or not). */
  delete(key: string): boolean {
    const i = this.slots.get(key);
    if (i === undefined) return false;
    const live = !this.expired(i);
    this.remove(i);
    return live;
  }

  /** Removes every entry. */
  clear(): void {
    this.versionChanges++;
    this.expiringVersions = false;
    this.slots.clear();
    this.keyList.fill(undefined);
    this.valList.fill(undefined);
    this.expires = undefined;
    this.sizes?.fill(0);
    this.free.length = 0;
    this.head = this.tail = this.fill = this.size = this.calculatedSize = 0;
  }

  /** Removes every expired entry; how many. */
  purgeStale(): number {
    if (this.expires === undefined) return 0;
    let n = 0;
    for (const i of [...this.slots.values()]) {
      if (this.expired(i)) {
        this.remove(i);
        n++;
      }
    }
    return n;
  }

  /** The keys held (expired ones included until they are read or swept), least recently used first is not promised. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  private expired(i: number): boolean {
    const expires = this.expires;
    return expires !== undefined && expires[i] !== 0 && expires[i] <= this.now();
  }

  private now(): number {
    return this.cachedNow !== 0 ? this.cachedNow : this.readClock();
  }

  private readClock(): number {
    const now = this.clock.now();
    if (this.reuseNow) {
      this.cachedNow = now;
      setTimeout(this.forgetNow, NOW_REUSE_MS).unref();
    }
    return now;
  }

  /** A free slot: one given back, a new one, or the least recently used entry's (evicted). */
  private slot(): number {
    if (this.free.length === 0) {
      if (this.fill < this.max) return this.fill++;
      this.evict();
    }
    return this.free.pop()!;
  }

  private evict(): void {
    const key = this.keyList[this.head]!;
    this.remove(this.head);
    this.onEvict(key);
  }

  private remove(i: number): void {
    const key = this.keyList[i]!;
    if (this.versionKeys[i] === 1) this.versionChanges++;
    this.slots.delete(key);
    this.keyList[i] = undefined;
    this.valList[i] = undefined;
    if (this.sizes !== undefined) {
      this.calculatedSize -= this.sizes[i];
      this.sizes[i] = 0;
    }
    if (--this.size !== 0) {
      if (i === this.head) this.head = this.next[i];
      else if (i === this.tail) this.tail = this.prev[i];
      else this.link(this.prev[i], this.next[i]);
    }
    this.free.push(i);
  }

  private moveToTail(i: number): void {
    if (i === this.head) this.head = this.next[i];
    else this.link(this.prev[i], this.next[i]);
    this.link(this.tail, i);
    this.tail = i;
  }

  private link(p: number, n: number): void {
    this.prev[n] = p;
    this.next[p] = n;
  }
}
