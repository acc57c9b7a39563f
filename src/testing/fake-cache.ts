import { AssertionError } from 'node:assert';
import { inspect, isDeepStrictEqual } from 'node:util';
import type { CacheEvent, CacheEventType } from '../core/cache.events';
import type { CacheManager } from '../core/cache-manager';
import { isEnvelope } from '../core/envelope';
import { normalizeKey } from '../core/keys';
import type { StoreContext, StoreEntry } from '../core/store.types';
import { cloneValue } from '../stores/memory/value-copy';
import { createCacheManager } from '../config/create-cache-manager';
import { CacheService } from '../nest/cache.service';
import { MemoryStore } from '../stores/memory/memory.store';
import { DEFAULT_STORES, type CacheManagerOptions, type CommonStoreOptions } from '../config/cache-options';

/** One recorded cache operation. */
export interface FakeOperation {
  type: CacheEventType;
  /** The store's configured name. */
  store: string;
  /** The user's key (`*` for `clear()`, tag names joined by `,` for `flush`). */
  key?: string;
  /** The value written (`write` only). */
  value?: unknown;
  /** The flushed tags (`flush` only). */
  tags?: string[];
}

/** Options of {@link createFakeCache} and `CacheTestingModule.forRoot`. */
export interface FakeCacheOptions extends Omit<CacheManagerOptions, 'stores' | 'logger'> {
  /**
   * The stores, by name, as given to `CacheModule.forRoot` (or just their names). Every store is
   * an in-memory fake whatever its driver; its `ttl` and `prefix` are kept.
   * @default { memory: { driver: 'memory' } }
   * @example createFakeCache({ stores: ['memory', 'redis'], clock })
   */
  stores?: Record<string, CommonStoreOptions & { driver?: unknown }> | readonly string[];
}

/** A memory store that remembers the last value written under each key, for `assertSet`. */
class RecordingStore extends MemoryStore {
  readonly written = new Map<string, unknown>();

  // `set` goes through `setSync`, so this records both.
  override setSync(key: string, value: unknown, ttlMs?: number): void {
    super.setSync(key, value, ttlMs);
    this.note(key, value);
  }
  override async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const added = await super.add(key, value, ttlMs);
    if (added) this.note(key, value);
    return added;
  }
  // `setMany` and `increment` go through their synchronous twins too.
  override setManySync(entries: readonly StoreEntry[]): void {
    super.setManySync(entries);
    for (const e of entries) this.note(e.key, e.value);
  }
  override incrementSync(key: string, by: number, ttlMs?: number): number {
    const n = super.incrementSync(key, by, ttlMs);
    this.note(key, n);
    return n;
  }
  private note(key: string, value: unknown): void {
    // A copy: the test sees the value as it was written, not as the app changed it afterwards.
    this.written.set(key, cloneValue(isEnvelope(value) ? value.v : value));
  }
}

/**
 * A memory-backed cache for tests that records every operation and asserts on them. It is a
 * `CacheService` (the default store's API, `store(name)` for the others), so it can stand in
 * wherever the app injects one. Assertions throw node's `AssertionError`, so they work with
 * Jest, Vitest and node:test alike. Every assertion is synchronous: it throws at the call.
 *
 * @example
 * const cache = createFakeCache();
 * await service.findUser(1); // uses cache.remember('user:1', ...)
 * cache.assertMissed('user:1');
 * cache.assertSet('user:1', { id: 1 });
 */
export class FakeCache extends CacheService {
  private recorded: FakeOperation[] = [];

  /** Not for direct use: create one with {@link createFakeCache} or `CacheTestingModule`. */
  constructor(
    manager: CacheManager,
    private readonly recorders: Map<string, { store: RecordingStore; namespace: string }>,
  ) {
    super(manager);
    manager.on('*', (event) => this.record(event));
  }

  /** Every operation recorded since creation or the last {@link reset}, oldest first. */
  operations(filter?: { type?: CacheEventType; store?: string; key?: string }): FakeOperation[] {
    return this.recorded
      .filter(
        (op) =>
          (filter?.type === undefined || op.type === filter.type) &&
          (filter?.store === undefined || op.store === filter.store) &&
          (filter?.key === undefined || op.key === filter.key),
      )
      .map((op) => ({ ...op }));
  }

  /** Forgets the recorded operations and empties every store. */
  async reset(): Promise<void> {
    await Promise.all(this.manager.stores().map((name) => this.manager.store(name).clear()));
    this.recorded = [];
  }

  /**
   * Asserts that `key` holds a fresh value now (in the default store, or `store`). Synchronous,
   * like every assertion here: it throws at the call, so a missing `await` cannot hide a failure.
   */
  assertHas(key: string, store?: string): void {
    const cache = this.manager.store(store);
    if (cache.sync.has(key)) return;
    this.fail(`Expected the cache to hold ${q(key)} in store ${q(cache.name)}, but it does not.`, 'has', key);
  }

  /** Asserts that `key` holds no fresh value now (expired, deleted, flushed by a tag, never set). Synchronous. */
  assertMissing(key: string, store?: string): void {
    const cache = this.manager.store(store);
    if (!cache.sync.has(key)) return;
    this.fail(
      `Expected ${q(key)} to be missing from store ${q(cache.name)}, but it holds ${show(this.peek(cache.name, key))}.`,
      'missing',
      key,
    );
  }

  /** Asserts that `key` was written (set, add, setMany, remember, increment), with `value` if given. */
  assertSet(key: string, value?: unknown): void {
    const writes = this.recorded.filter((op) => op.type === 'write' && op.key === key);
    // `undefined` cannot be cached, so it means "any value".
    if (value === undefined) {
      if (writes.length) return;
      this.fail(`Expected ${q(key)} to have been set, but it was never written.`, 'set', key);
    }
    if (writes.some((op) => isDeepStrictEqual(op.value, value))) return;
    const got = writes.length
      ? `it was set to ${writes.map((w) => show(w.value)).join(', then ')}`
      : 'it was never written';
    this.fail(`Expected ${q(key)} to have been set to ${show(value)}, but ${got}.`, 'set', key, value);
  }

  /** Asserts that `delete` (or `deleteMany`, `pull`) was called for `key`. */
  assertDeleted(key: string): void {
    if (this.recorded.some((op) => op.type === 'delete' && op.key === key)) return;
    this.fail(`Expected ${q(key)} to have been deleted, but no delete of it was recorded.`, 'deleted', key);
  }

  /** Asserts that every one of `tags` was flushed (`tags([...]).flush()`). */
  assertFlushedTags(...tags: string[]): void {
    const flushed = new Set(this.recorded.flatMap((op) => (op.type === 'flush' ? (op.tags ?? []) : [])));
    const missing = tags.filter((t) => !flushed.has(t));
    if (missing.length === 0 && tags.length > 0) return;
    const what = tags.length ? `tag(s) ${missing.map(q).join(', ')}` : 'at least one tag';
    const got = flushed.size ? `only ${[...flushed].map(q).join(', ')} were` : 'no tag was';
    this.fail(`Expected ${what} to have been flushed, but ${got} flushed.`, 'flushedTags', tags.join(','));
  }

  /** Asserts that a read of `key` found a value (get, getMany, remember, pull). */
  assertHit(key: string): void {
    if (this.recorded.some((op) => op.type === 'hit' && op.key === key)) return;
    this.fail(`Expected a cache hit for ${q(key)}, but none was recorded.`, 'hit', key);
  }

  /** Asserts that a read of `key` found nothing (get, getMany, remember, pull). */
  assertMissed(key: string): void {
    if (this.recorded.some((op) => op.type === 'miss' && op.key === key)) return;
    this.fail(`Expected a cache miss for ${q(key)}, but none was recorded.`, 'miss', key);
  }

  /** The value held under `key`, read from the store itself: no hit is recorded or counted. */
  private peek(store: string, key: string): unknown {
    const rec = this.recorders.get(store);
    const held = rec?.store.getSync(normalizeKey(key, rec.namespace));
    return isEnvelope(held) ? held.v : held;
  }

  private record(event: CacheEvent): void {
    const op: FakeOperation = { type: event.type, store: event.store };
    if (event.key !== undefined) op.key = event.key;
    if (event.tags) op.tags = [...event.tags];
    if (event.type === 'write' && event.key !== undefined) {
      const rec = this.recorders.get(event.store);
      if (rec) op.value = rec.store.written.get(normalizeKey(event.key, rec.namespace));
    }
    this.recorded.push(op);
  }

  private fail(message: string, operator: string, actual: unknown, expected?: unknown): never {
    throw new AssertionError({
      message: `${message}\n${this.describeRecorded()}`,
      operator,
      actual,
      expected,
    });
  }

  private describeRecorded(): string {
    if (this.recorded.length === 0) return 'Recorded operations: none.';
    const lines = this.recorded.map((op) => {
      const value = op.type === 'write' ? ` = ${show(op.value)}` : '';
      return `  ${op.type} ${op.store} ${op.key === undefined ? '' : q(op.key)}${value}`;
    });
    return `Recorded operations:\n${lines.join('\n')}`;
  }
}

/**
 * A {@link FakeCache} without Nest: every store in memory, recording, on the given clock.
 * @example
 * const clock = new ManualClock();
 * const cache = createFakeCache({ clock });
 * await cache.set('k', 'v', '10m');
 * clock.advance('10m');
 * cache.assertMissing('k');
 */
export function createFakeCache(options: FakeCacheOptions = {}): FakeCache {
  const { stores: given, ...rest } = options;
  const configs: Record<string, CommonStoreOptions & { driver?: unknown }> = Array.isArray(given)
    ? Object.fromEntries(given.map((name: string) => [name, {}]))
    : ((given as Record<string, CommonStoreOptions>) ?? DEFAULT_STORES);
  const recorders = new Map<string, { store: RecordingStore; namespace: string }>();
  const stores = Object.fromEntries(
    Object.entries(configs).map(([name, config]) => [
      name,
      {
        ttl: config.ttl,
        prefix: config.prefix,
        driver: (ctx: StoreContext) => {
          const store = new RecordingStore({ pruneInterval: 0 }, ctx.clock, ctx.name, ctx.onEvict);
          recorders.set(ctx.name, { store, namespace: ctx.namespace });
          return store;
        },
      },
    ]),
  );
  const manager = createCacheManager({ ...rest, stores });
  return new FakeCache(manager, recorders);
}

function q(s: string): string {
  return JSON.stringify(s);
}

function show(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Infinity });
}
