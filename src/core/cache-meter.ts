import type { CacheKeys } from './cache-keys';
import type { CacheStats } from './cache.types';
import type { CacheEvents, CacheEventType } from './cache.events';
import { round } from './format';
import type {
  CacheOperationName,
  CacheOperationResult,
  OperationMeter,
  OperationTally,
  StoreOperations,
} from './operation-meter';
import type { StoreStats } from './store.types';

/**
 * Counters, events and operation metrics of one cache. Built once per cache and called on every
 * operation, so it is a small class with plain number fields (a stable shape): each method is a
 * few field increments and two "does anybody listen" checks.
 *
 * Three audiences, three paths, each off until somebody subscribes:
 * - the counters behind `stats()`, always on (plain increments);
 * - the event path (`manager.on`, the diagnostics channel) builds a `CacheEvent` with the
 *   user's key, only while `events.enabled`;
 * - the operation meter (core/operation-meter.ts: what nestjs-cachekit/otel, /prometheus and
 *   /admin read) tallies `(operation, result)` per store and times one operation in
 *   `sampleEvery`, only while `ops.active`. It never builds an event: that is what keeps a memory
 *   hit fast with an exporter on.
 * With none subscribed, an operation reads no clock ({@link started} returns 0) and builds nothing.
 */
export class CacheMeter {
  // The counters behind `stats()` (plain number fields, a stable shape), grouped by what they
  // count: reads, store failures (with the last one), writes.
  hits = 0;
  misses = 0;
  staleHits = 0;
  /** Store failures, logged by the guard; operations compare it before and after to see one. */
  errors = 0;
  /** The last store failure, for the `error` result of the operation that met it (spans). */
  lastError: unknown = undefined;
  writes = 0;
  deletes = 0;
  private readonly tallies: StoreOperations;
  /** The tallies of the two hottest reads, held directly (no lookup by name per operation). */
  private readonly getTally: OperationTally;
  private readonly rememberTally: OperationTally;

  constructor(
    /** The store's configured name. */
    readonly store: string,
    private readonly events: CacheEvents,
    private readonly ops: OperationMeter,
    private readonly keys: CacheKeys,
  ) {
    const tallies = (this.tallies = ops.forStore(store));
    this.getTally = tallies.tally('get');
    this.rememberTally = tallies.tally('remember');
  }

  /** Start of an operation for durations; 0 (and no clock read) when nothing times it. */
  started(): number {
    const ops = this.ops;
    return this.events.enabled || (ops.active && ops.timing()) ? performance.now() : 0;
  }

  /** A read ended: a hit or a miss. */
  read(op: 'get' | 'remember', hit: boolean, key: string, start: number): void {
    if (hit) this.hits++;
    else this.misses++;
    if (this.ops.active) {
      // Untimed (15 operations in 16): one increment on a tally held directly.
      if (start === 0) {
        const t = op === 'get' ? this.getTally : this.rememberTally;
        if (hit) t.hit++;
        else t.miss++;
      } else this.measure(op, hit ? 'hit' : 'miss', start, key);
    }
    if (this.events.enabled) this.emit(hit ? 'hit' : 'miss', key, start);
  }

  /** A read whose store call failed (already logged and counted): a miss, measured as `error`. */
  missAfterFailure(op: CacheOperationName, key: string, start: number): void {
    this.misses++;
    if (this.ops.active) this.measure(op, 'error', start, key);
    if (this.events.enabled) this.emit('miss', key, start);
  }

  /** One key of a `getMany` (events carry no duration; `start` is the call's, on its first key). */
  readOfMany(hit: boolean, key: string, start: number, errorsBefore: number): void {
    if (hit) this.hits++;
    else this.misses++;
    if (this.ops.active)
      this.measure('getMany', this.errors !== errorsBefore ? 'error' : hit ? 'hit' : 'miss', start, key);
    if (this.events.enabled) this.emit(hit ? 'hit' : 'miss', key, 0);
  }

  /** `remember` served a stale value (and refreshes it in the background). */
  stale(key: string, start: number): void {
    this.hits++;
    if (this.events.enabled) this.emit('hit', key, start);
    if (this.ops.active) this.measure('remember', 'stale', start, key);
    this.staleHits++;
    this.emit('stale', key, start);
  }

  /** An entry was written. */
  wrote(op: CacheOperationName, key: string, start: number): void {
    this.writes++;
    if (this.ops.active) this.measure(op, 'ok', start, key);
    if (this.events.enabled) this.emit('write', key, start);
  }

  /** A write failed (already logged and counted). */
  writeFailed(op: CacheOperationName, key: string, start: number): void {
    if (this.ops.active) this.measure(op, 'error', start, key);
  }

  /** Many entries were written at once (one event per key). */
  wroteMany(keys: readonly string[], start: number): void {
    this.writes += keys.length;
    if (this.ops.active) this.measure('setMany', 'ok', start, keys.join(','));
    if (start && this.events.enabled) for (const key of keys) this.emit('write', key, start);
  }

  /** A delete ended with `n` removed (one event per key of `keys`). */
  deleted(
    op: CacheOperationName,
    n: number,
    keys: string | readonly string[],
    start: number,
    errorsBefore: number,
  ): void {
    this.deletes += n;
    const one = typeof keys === 'string';
    if (this.ops.active) this.ended(op, 'ok', start, one ? keys : keys.join(','), errorsBefore);
    if (one) this.emit('delete', keys, start);
    else if (start) for (const key of keys) this.emit('delete', key, start);
  }

  /**
   * Measures an operation that ended with `result`, or `error` when a store failure was counted
   * since `errorsBefore` (the fail-open paths, which return a fallback instead of throwing).
   */
  ended(
    op: CacheOperationName,
    result: CacheOperationResult,
    start: number,
    key: string,
    errorsBefore = this.errors,
  ): void {
    if (this.ops.active) this.measure(op, this.errors !== errorsBefore ? 'error' : result, start, key);
  }

  /** A store failure was counted and logged (by the guard): tells the event listeners. */
  failed(key: string, err: unknown, start: number | undefined): void {
    this.lastError = err;
    this.emit('error', key, start, err);
  }

  /** The store dropped `k` (a namespaced key) to make room. */
  evicted(k: string): void {
    if (!this.events.enabled) return;
    this.emit('evict', this.keys.user(k));
  }

  /** Emits an event when somebody listens. */
  emit(type: CacheEventType, key: string, start?: number, error?: unknown, tags?: readonly string[]): void {
    const events = this.events;
    if (!events.enabled) return;
    events.emit({
      type,
      store: this.store,
      key,
      durationMs: start ? round(performance.now() - start) : 0,
      ...(error !== undefined ? { error } : {}),
      ...(tags ? { tags: [...tags] } : {}),
    });
  }

  /** The counters, with what the store itself knows (evictions, entries, bytes). */
  snapshot(s: StoreStats): CacheStats {
    const reads = this.hits + this.misses;
    const out: CacheStats = {
      hits: this.hits,
      misses: this.misses,
      hitRatio: reads === 0 ? 0 : this.hits / reads,
      writes: this.writes,
      deletes: this.deletes,
      evictions: s.evictions ?? 0,
      errors: s.errors === undefined ? this.errors : this.errors + s.errors,
      staleHits: this.staleHits,
    };
    if (s.entries !== undefined) out.entries = s.entries;
    if (s.bytes !== undefined) out.bytes = s.bytes;
    return out;
  }

  /** Reports one finished operation to the operation meter (callers check `ops.active` first). */
  private measure(op: CacheOperationName, result: CacheOperationResult, start: number, key: string): void {
    this.ops.record(this.tallies, op, result, start, key, result === 'error' ? this.lastError : undefined);
  }
}
