// How long one entry has left, as a reader sees it: the remaining time (`ttl`), resetting it
// (`touch`) and the admin API's look at an entry (`inspect`). A stale-while-revalidate entry's
// time is its fresh part (kept in its envelope), and touching it keeps its stale window after the
// new fresh part. Slow paths only (no hot path calls here): built once per cache.
import { CacheUnsupportedError } from './cache.errors';
import type { Clock } from './clock';
import { isEnvelope, retouch, type Envelope } from './envelope';
import * as fallbacks from './store-access/store-fallbacks';
import type { StoreGuard } from './store-access/store-guard';
import type { CacheStore } from './store.types';
import type { TaggedEntries } from './tags/tagged-entries';

/** What {@link EntryExpiry.inspect} returns: the entry as a reader would see it. */
export interface InspectedEntry {
  value: unknown;
  tags: string[];
  /** `Infinity` when it never expires, `undefined` when the store cannot tell. */
  ttlMs: number | undefined;
}

/** The expiry side of one cache's entries (store keys `k`, the caller's `key` for messages). */
export class EntryExpiry {
  constructor(
    private readonly name: string,
    private readonly store: CacheStore,
    private readonly entries: TaggedEntries,
    private readonly guard: StoreGuard,
    private readonly clock: Clock,
  ) {}

  /** Remaining seconds of a fresh entry: `Infinity` if it never expires, `undefined` if missing. */
  async remaining(k: string, key: string): Promise<number | undefined> {
    const raw = await this.entries.readRaw(k, key);
    if (raw === undefined) return undefined;
    if (isEnvelope(raw)) {
      const entry = await this.entries.unwrap(k, raw, key);
      if (entry === undefined || entry.stale) return undefined;
      if (raw.f !== undefined) return (raw.f - this.clock.now()) / 1000;
    }
    const store = this.store;
    if (!store.ttl) throw new CacheUnsupportedError(this.name, 'ttl');
    const ms = await this.guard.failOpen('ttl', key, () => store.ttl!(k), undefined);
    return ms === undefined ? undefined : ms === Infinity ? Infinity : ms / 1000;
  }

  /** Resets the expiry to `ttlMs`; resolves whether the entry existed. */
  async touch(k: string, key: string, ttlMs: number | undefined): Promise<boolean> {
    const raw = await this.entries.readRaw(k, key);
    if (raw === undefined) return false;
    const store = this.store;
    if (isEnvelope(raw) && raw.f !== undefined) {
      // A stale-while-revalidate entry keeps its stale window after the new fresh part.
      const entry = await this.entries.unwrap(k, raw, key);
      if (entry === undefined) return false;
      const hardMs = await this.guard.failOpen(
        'ttl',
        key,
        () => store.ttl?.(k) ?? Promise.resolve(undefined),
        undefined,
      );
      const next = retouch(raw as Envelope & { f: number }, ttlMs, hardMs, this.clock.now());
      return this.guard.failOpen(
        'touch',
        key,
        async () => {
          await store.set(k, next.env, next.storeTtlMs);
          return true;
        },
        false,
      );
    }
    return this.guard.failOpen('touch', key, () => fallbacks.touchBySet(store, k, raw, ttlMs), false);
  }

  /** The entry as a reader would see it, without counting a read; strict (the store must answer). */
  async inspect(k: string, key: string): Promise<InspectedEntry | undefined> {
    const store = this.store;
    const raw = await this.guard.strict('get', () => store.get(k));
    if (raw === undefined) return undefined;
    const entry = isEnvelope(raw)
      ? await this.entries.unwrap(k, raw, key)
      : { value: raw, stale: false, tags: undefined };
    if (entry === undefined || entry.stale) return undefined;
    let ttlMs: number | undefined;
    if (isEnvelope(raw) && raw.f !== undefined) ttlMs = raw.f - this.clock.now();
    else if (store.ttl) ttlMs = await this.guard.strict('ttl', () => store.ttl!(k));
    return { value: entry.value, tags: Object.keys(entry.tags ?? {}), ttlMs };
  }
}
