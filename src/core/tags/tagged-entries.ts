// Reading entries that carry metadata (an envelope: tags, a stale-while-revalidate deadline):
// whether an entry is still valid (every tag at the version it was written with), stale, or
// outdated (then reclaimed), and the current tag versions. Plain values never come here.
import type { CacheKeys } from '../cache-keys';
import type { Clock } from '../clock';
import { isEnvelope, type Envelope } from '../envelope';
import { trackDependencies } from '../remember/dependency-scope';
import { isCallerError, type StoreGuard } from '../store-access/store-guard';
import type { CacheStore } from '../store.types';
import { addIfAbsent } from '../store-access/store-fallbacks';
import { KnownVersions } from './known-versions';
import { readTagVersions, reclaimOutdated, sameEnvelope } from './tag-versions';

/** What {@link TaggedEntries.freshValueSync} answers for a miss (no value is ever this). */
export const MISS: unique symbol = Symbol('cachekit.miss');
/** What {@link TaggedEntries.unwrapFound} answers when the entry names tags that were not read. */
export const REFETCH: unique symbol = Symbol('cachekit.refetch');

/** A value read from the store, with its metadata. */
export interface Entry {
  value: unknown;
  stale: boolean;
  tags?: Record<string, string>;
}

/**
 * Envelope reads and tag versions of one cache. Built once per cache. {@link unwrapSync}
 * returns a value (no promise), so a tagged hit on a synchronous store (memory) stays
 * promise-free; {@link unwrap} is for stores that read asynchronously.
 */
export class TaggedEntries {
  /** Versions read from a store with a version epoch (memory): a tagged hit then reads none. */
  private readonly known: KnownVersions;
  /** The tags (a view's own array) {@link tagKeys} was last asked for, and its answer. */
  private lastTags: readonly string[] | undefined;
  private lastTagKeys: readonly string[] = [];

  constructor(
    private readonly store: CacheStore,
    private readonly keys: CacheKeys,
    private readonly guard: StoreGuard,
    private readonly clock: Clock,
  ) {
    this.known = new KnownVersions(store);
  }

  /**
   * Current version of each tag; with `create`, missing tags get a fresh random version
   * (`add`, so concurrent writers in several processes agree on one).
   */
  versions(tags: readonly string[], create: boolean): Promise<Record<string, string>> {
    return this.guard.strict('tags', () => this.fetchVersions(tags, create));
  }

  /**
   * Tag versions for a tagged `set`/`setMany`/`forever`: `undefined` when the store cannot give
   * them (reported and counted once), so the write resolves `false` like a plain write in an outage.
   */
  async versionsForWrite(tags: readonly string[]): Promise<Record<string, string> | undefined> {
    try {
      return await this.versions(tags, true);
    } catch (err) {
      if (isCallerError(err, 'tags')) throw err;
      return undefined;
    }
  }

  /** Tag versions for remember: on failure the loader still runs (fail open), nothing gets stored. */
  async versionsOpen(tags: readonly string[]): Promise<Record<string, string>> {
    try {
      return await this.versions(tags, true);
    } catch (err) {
      if (isCallerError(err, 'tags')) throw err;
      // An impossible version: the entry will read as invalid.
      return Object.fromEntries(tags.map((t) => [t, '\u0000unavailable']));
    }
  }

  /** The raw stored value (fail open: a failure reads as a miss). */
  readRaw(k: string, key: string): Promise<unknown> {
    return this.guard.failOpen('get', key, () => this.store.get(k), undefined);
  }

  /** The entry under `k`, stale or not (fail open). */
  async read(k: string, key: string): Promise<Entry | undefined> {
    let raw: unknown;
    try {
      raw = await this.store.get(k);
    } catch (err) {
      raw = this.guard.readFailed('get', key, err);
    }
    if (raw === undefined) return undefined;
    if (!isEnvelope(raw)) return { value: raw, stale: false };
    return this.unwrap(k, raw, key);
  }

  /** The entry under `k` if it is fresh (fail open). */
  async readFresh(k: string, key: string): Promise<Entry | undefined> {
    const entry = await this.read(k, key);
    return entry === undefined || entry.stale ? undefined : entry;
  }

  /** The entry an envelope holds, if its tags are current. */
  async unwrap(k: string, env: Envelope, key: string): Promise<Entry | undefined> {
    if (this.store.getSync !== undefined) return this.unwrapSync(k, env, key);
    const stale = env.f !== undefined && this.clock.now() >= env.f;
    if (!env.t) return { value: env.v, stale };
    trackDependencies();
    const names = Object.keys(env.t);
    const current = await this.guard.failOpen('tags', key, () => this.fetchVersions(names, false), undefined);
    return this.checkTags(k, env, stale, names, current);
  }

  /** The value of an envelope if it is fresh and its tags current, else {@link MISS} (any store). */
  async freshValue(k: string, env: Envelope, key: string): Promise<unknown> {
    const entry = await this.unwrap(k, env, key);
    return entry === undefined || entry.stale ? MISS : entry.value;
  }

  /** {@link unwrap} on a store that reads synchronously (memory): no promise per tagged read. */
  unwrapSync(k: string, env: Envelope, key: string): Entry | undefined {
    const stale = env.f !== undefined && this.clock.now() >= env.f;
    if (!env.t) return { value: env.v, stale };
    trackDependencies();
    const current = this.known.current(env.t) || this.readCurrentSync(k, env, key);
    return current ? { value: env.v, stale, tags: env.t } : undefined;
  }

  /**
   * The value of an envelope read synchronously (memory) if it is fresh and its tags current,
   * else {@link MISS}: what a `get` hit needs, without allocating an entry.
   */
  freshValueSync(k: string, env: Envelope, key: string): unknown {
    if (env.f !== undefined && this.clock.now() >= env.f) return MISS;
    const t = env.t;
    if (!t) return env.v;
    trackDependencies();
    return this.known.current(t) || this.readCurrentSync(k, env, key) ? env.v : MISS;
  }

  /** The tag check of a synchronous read: each version read from the store (and noted), or a miss. */
  private readCurrentSync(k: string, env: Envelope, key: string): boolean {
    const store = this.store;
    const keys = this.keys;
    const t = env.t!;
    const epoch = this.known.epoch();
    try {
      for (const name in t) {
        const version = store.getSync!(keys.tag(name));
        if (typeof version !== 'string' || version !== t[name]) {
          reclaimOutdated(store, k, env);
          return false;
        }
        this.known.note(epoch, name, version);
      }
    } catch (err) {
      this.guard.readFailed('tags', key, err);
      return false;
    }
    return true;
  }

  /** The version keys of `tags`, for a store's `getWithTags` (the same array for a view's same tags). */
  tagKeys(tags: readonly string[]): readonly string[] {
    if (tags === this.lastTags) return this.lastTagKeys;
    const out = new Array<string>(tags.length);
    for (let i = 0; i < tags.length; i++) out[i] = this.keys.tag(tags[i]);
    this.lastTags = tags;
    return (this.lastTagKeys = out);
  }

  /**
   * {@link unwrap} of an envelope read by `getWithTags(k, tagKeys(tags))`: `found[i + 1]` is the
   * current version of `tags[i]`. Synchronous when those cover the entry's tags (the usual case:
   * the view wrote it); {@link REFETCH} when the entry names tags the view does not (nested
   * `remember` dependencies): then {@link unwrapRest} reads those.
   */
  unwrapFound(
    k: string,
    env: Envelope,
    tags: readonly string[],
    found: readonly unknown[],
  ): Entry | undefined | typeof REFETCH {
    const stale = env.f !== undefined && this.clock.now() >= env.f;
    const t = env.t;
    if (!t) return { value: env.v, stale };
    trackDependencies();
    let rest = false;
    for (const name in t) {
      const i = tags.indexOf(name);
      if (i < 0) rest = true;
      else if (found[i + 1] !== t[name]) {
        // Not the version it was written with (a string): missing, unreadable or another.
        reclaimOutdated(this.store, k, env);
        return undefined;
      }
    }
    return rest ? REFETCH : { value: env.v, stale, tags: t };
  }

  /** {@link unwrapFound} answered {@link REFETCH}: reads the versions of the tags not read yet. */
  async unwrapRest(k: string, env: Envelope, key: string, tags: readonly string[]): Promise<Entry | undefined> {
    const names = Object.keys(env.t!).filter((n) => !tags.includes(n));
    const current = await this.guard.failOpen('tags', key, () => this.fetchVersions(names, false), undefined);
    const stale = env.f !== undefined && this.clock.now() >= env.f;
    return this.checkTags(k, env, stale, names, current);
  }

  /**
   * The values of a `getMany` batch holding envelopes: one tag-version read for all of them;
   * stale entries and entries of a flushed tag are misses (`undefined`, and reclaimed).
   */
  async valuesOfMany(ks: string[], raws: unknown[], keys: readonly string[]): Promise<unknown[]> {
    const tagNames = new Set<string>();
    for (const raw of raws) if (isEnvelope(raw) && raw.t) for (const t in raw.t) tagNames.add(t);
    let current: Record<string, string> | undefined = {};
    if (tagNames.size) {
      trackDependencies();
      current = await this.guard.failOpen('tags', keys, () => this.fetchVersions([...tagNames], false), undefined);
    }
    const now = this.clock.now();
    const out = new Array<unknown>(raws.length);
    for (let i = 0; i < raws.length; i++) out[i] = this.valueOfMany(ks[i], raws[i], current, now);
    return out;
  }

  private valueOfMany(k: string, raw: unknown, current: Record<string, string> | undefined, now: number): unknown {
    if (raw === undefined || !isEnvelope(raw)) return raw;
    if (raw.f !== undefined && now >= raw.f) return undefined;
    const t = raw.t;
    if (t) {
      if (!current) return undefined;
      for (const name in t) {
        if (current[name] !== t[name]) {
          reclaimOutdated(this.store, k, raw);
          return undefined;
        }
      }
    }
    return raw.v;
  }

  /**
   * `add` of a prepared value: stores it only if `k` is absent, where an entry dead to every
   * reader (a flushed tag, a stale SWR value) counts as absent: it is removed if unchanged, and
   * the add tried once more. Not atomic across processes on a store without `add`.
   */
  async add(k: string, stored: unknown, ttlMs: number | undefined): Promise<boolean> {
    const store = this.store;
    const tryAdd = (): Promise<boolean> =>
      store.add ? store.add(k, stored, ttlMs) : addIfAbsent(store, k, stored, ttlMs);
    if (await tryAdd()) return true;
    const raw = await store.get(k);
    if (raw !== undefined) {
      if (!isEnvelope(raw) || !(await this.isDead(raw))) return false;
      const again = await store.get(k);
      if (again !== undefined) {
        if (!isEnvelope(again) || !sameEnvelope(again, raw)) return false;
        await store.delete(k);
      }
    }
    return tryAdd();
  }

  /** Whether a wrapped entry is invisible to every reader: stale, or carrying a flushed tag. */
  async isDead(env: Envelope): Promise<boolean> {
    if (env.f !== undefined && this.clock.now() >= env.f) return true;
    if (!env.t) return false;
    const names = Object.keys(env.t);
    const current = await this.fetchVersions(names, false);
    return names.some((n) => current[n] !== env.t![n]);
  }

  private fetchVersions(tags: readonly string[], create: boolean): Promise<Record<string, string>> {
    return readTagVersions(
      this.store,
      tags,
      tags.map((t) => this.keys.tag(t)),
      create,
    );
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
        reclaimOutdated(this.store, k, env);
        return undefined;
      }
    }
    return { value: env.v, stale, tags: env.t };
  }
}
