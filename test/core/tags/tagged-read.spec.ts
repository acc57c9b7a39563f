/**
 * Tagged reads in the core: the memory store's synchronous check (tags read in place, what a
 * third party does to a version key reads as a flush), and the `getWithTags` store hook on a
 * custom store (one store call per read through a tagged view, fail open, today's two calls
 * without it).
 */
import { describe, expect, it } from '@jest/globals';
import {
  createCacheManager,
  getWithTagsByGetMany,
  MemoryStore,
  UnreadableEntry,
  type CacheManager,
  type CacheStore,
} from '../../../src';
import { KeyHasher, withHashedKeys } from '../../../src/core/pipeline/hashed-keys';
import { tagVersionKey } from '../../../src/core/tags/tag-versions';
import { ManualClock } from '../../../src/testing';

const quiet = { warn: () => undefined, error: () => undefined };

function over(store: CacheStore, prefix = 'tr'): CacheManager {
  return createCacheManager({ prefix, logger: quiet, default: 's', stores: { s: { driver: store } } });
}

describe('tagged reads on the memory store', () => {
  it('a version deleted or overwritten by a third party reads as a miss (get, remember, plain get)', async () => {
    const store = new MemoryStore();
    const m = over(store);
    const view = m.tags(['users', 'active']);
    await view.set('a', 'cached');
    await view.set('b', 'cached');
    expect(await view.get('a')).toBe('cached');
    expect(await store.delete(tagVersionKey('tr', 'active'))).toBe(true);
    expect(await view.get('a')).toBeUndefined();
    expect(await m.get('a')).toBeUndefined();
    expect(m.sync.get('b')).toBeUndefined();
    expect(await view.remember('a', 60, () => 'loaded')).toBe('loaded');
    for (const corrupt of [5, { v: 1 }, null, 'another-version']) {
      await view.set('c', 'cached');
      expect(await view.get('c')).toBe('cached');
      await store.set(tagVersionKey('tr', 'users'), corrupt);
      expect(await view.get('c')).toBeUndefined();
      expect(await view.get('c', 'fallback')).toBe('fallback');
    }
    expect(m.store('s').stats().errors).toBe(0);
  });

  it('a flush by another cache instance over the same store is seen by the next tagged read', async () => {
    const store = new MemoryStore();
    const [a, b] = [over(store), over(store)];
    await a.tags(['users', 'active']).set('user:1', 'cached');
    expect(await b.tags('users').get('user:1')).toBe('cached');
    await b.tags(['active']).flush();
    expect(await a.tags(['users', 'active']).get('user:1')).toBeUndefined();
    expect(await a.get('user:1')).toBeUndefined();
  });

  it('a tagged hit reads no version key while no version changed, and reads them again after a change', async () => {
    const store = new VersionReadCounter();
    const m = over(store);
    const view = m.tags(['users', 'active']);
    await view.set('a', 'cached');
    await view.set('b', 'other');
    expect(await view.get('a')).toBe('cached');
    store.versionReads = 0;
    for (let i = 0; i < 5; i++) {
      expect(await view.get('a')).toBe('cached');
      expect(await view.get('b')).toBe('other');
      expect(m.sync.get('a')).toBe('cached');
      expect(await view.remember('b', 60, () => 'loaded')).toBe('other');
    }
    await m.set('plain', 'untagged');
    await m.delete('plain');
    expect(await view.get('a')).toBe('cached');
    expect(store.versionReads).toBe(0);
    await m.tags('active').flush();
    expect(await view.get('a')).toBeUndefined();
    expect(store.versionReads).toBeGreaterThan(0);
    await view.set('a', 'again');
    expect(await view.get('a')).toBe('again');
    store.versionReads = 0;
    expect(await view.get('a')).toBe('again');
    expect(store.versionReads).toBe(0);
  });

  it('entries sharing one tag map: a flush of either tag after many hits makes every one miss', async () => {
    const store = new MemoryStore();
    const [m, other] = [over(store), over(store)];
    const view = m.tags(['users', 'active']);
    for (let i = 0; i < 8; i++) await view.set(`u${i}`, { id: i });
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < 8; i++) expect(await view.get(`u${i}`)).toEqual({ id: i });
    for (const [tag, flusher] of [
      ['active', m],
      ['users', other],
    ] as const) {
      await flusher.tags(tag).flush();
      for (let i = 0; i < 8; i++) {
        expect(await view.get(`u${i}`)).toBeUndefined();
        expect(m.sync.get(`u${i}`)).toBeUndefined();
      }
      for (let i = 0; i < 8; i++) await view.set(`u${i}`, { id: i });
      for (let i = 0; i < 8; i++) expect(await view.get(`u${i}`)).toEqual({ id: i });
      expect(await other.tags(['users', 'active']).get('u3')).toEqual({ id: 3 });
    }
    // An entry of the old versions put back by a third party is still a miss.
    const held = await store.get('tr:u0');
    await view.flush();
    await store.set('tr:u0', held);
    expect(await view.get('u0')).toBeUndefined();
  });

  it('a version evicted, cleared, expired unread or touched to expire reads as a miss', async () => {
    const clock = new ManualClock();
    // Evicted: the LRU holds 3 entries (two versions, 'a'); the version of 'users' goes first.
    const small = new MemoryStore({ maxEntries: 3 }, clock);
    const m1 = over(small);
    await m1.tags(['users', 'active']).set('a', 'cached');
    expect(await m1.tags(['users', 'active']).get('a')).toBe('cached');
    await small.get('tr:a');
    await small.get(tagVersionKey('tr', 'active'));
    await small.set('other', 1);
    expect(await small.has(tagVersionKey('tr', 'users'))).toBe(false);
    expect(await small.has('tr:a')).toBe(true);
    expect(await m1.tags(['users', 'active']).get('a')).toBeUndefined();
    // Cleared, then the entry put back by a third party exactly as it was: its tag is gone.
    const store = new MemoryStore({}, clock);
    const m2 = over(store);
    await m2.tags('t').set('k', 'cached');
    expect(await m2.tags('t').get('k')).toBe('cached');
    const held = await store.get('tr:k');
    await store.clear();
    await store.set('tr:k', held);
    expect(await m2.tags('t').get('k')).toBeUndefined();
    // A version key given a TTL (as a two-tier store's L1 copy has) expires without being read.
    await m2.tags('t').set('k', 'cached');
    const version = await store.get(tagVersionKey('tr', 't'));
    await store.set(tagVersionKey('tr', 't'), version, 1000);
    expect(await m2.tags('t').get('k')).toBe('cached');
    clock.advance('1500ms');
    expect(await m2.tags('t').get('k')).toBeUndefined();
    await store.set(tagVersionKey('tr', 't'), 'v2');
    await m2.tags('t').set('k', 'cached');
    expect(await m2.tags('t').get('k')).toBe('cached');
    expect(await store.touch(tagVersionKey('tr', 't'), 1000)).toBe(true);
    clock.advance('1500ms');
    expect(await m2.tags('t').get('k')).toBeUndefined();
  });

  it('over hashed keys (a store wrapped as hashKeys does), a flush is seen by the next tagged read', async () => {
    const store = withHashedKeys(new MemoryStore(), new KeyHasher(Buffer.alloc(32, 7), 'tr'));
    const m = over(store);
    const view = m.tags(['users', 'active']);
    await view.set('a', 'cached');
    expect(await view.get('a')).toBe('cached');
    expect(await view.get('a')).toBe('cached');
    await m.tags('users').flush();
    expect(await view.get('a')).toBeUndefined();
  });

  it('own keys (a built-in memory store only its cache uses): version keys are seen, a flush or an eviction is a miss', async () => {
    const m = createCacheManager({
      prefix: 'tr',
      logger: quiet,
      stores: { memory: { driver: 'memory', maxEntries: 4 } },
    });
    const store = m.store('memory').driver as MemoryStore;
    const view = m.tags(['users', 'active']);
    await view.set('a', 'cached');
    // The store holds keys without the namespace: the version key is `\0t:users`.
    expect(typeof (await store.get(tagVersionKey('', 'users')))).toBe('string');
    const epoch = store.versionEpoch();
    expect(epoch).toBeGreaterThanOrEqual(0);
    expect(await view.get('a')).toBe('cached');
    expect(await view.get('a')).toBe('cached');
    expect(m.sync.get('a')).toBe('cached');
    // A user key that looks like a version key is escaped (`\0\0t:users`): no version changes.
    await m.set('\u0000t:users', 'user value');
    expect(await view.get('a')).toBe('cached');
    await m.tags('users').flush();
    expect(store.versionEpoch()).not.toBe(epoch);
    expect(await view.get('a')).toBeUndefined();
    expect(m.sync.get('a')).toBeUndefined();
    // Evicted: 4 entries fit; touching the entry and one version leaves 'users' least recent.
    await view.set('a', 'again');
    expect(await view.get('a')).toBe('again');
    await m.delete('\u0000t:users');
    await store.get(tagVersionKey('', 'active'));
    await store.get('a');
    await m.set('x', 1);
    await m.set('y', 2);
    expect(await store.has(tagVersionKey('', 'users'))).toBe(false);
    expect(await store.has('a')).toBe(true);
    expect(await view.get('a')).toBeUndefined();
    await m.close();
  });

  it('a stale-while-revalidate entry with tags: get misses, remember serves it stale', async () => {
    const clock = new ManualClock();
    const m = createCacheManager({ prefix: 'tr', clock, stores: { memory: { driver: 'memory' } } });
    const view = m.tags('t');
    await view.remember('k', 1, () => 'v1', { staleTtl: 60 });
    clock.advance('1500ms');
    expect(await view.get('k')).toBeUndefined();
    expect(m.sync.get('k')).toBeUndefined();
    expect(await view.remember('k', 1, () => 'v2', { staleTtl: 60 })).toBe('v1');
  });
});

/** A memory store that counts the reads of tag version keys. */
class VersionReadCounter extends MemoryStore {
  versionReads = 0;
  override getSync(key: string): unknown {
    if (key.includes('\u0000t:')) this.versionReads++;
    return super.getSync(key);
  }
}

/** A custom store over a Map that counts its calls; `getWithTags` through its `getMany`. */
class MapStore implements CacheStore {
  readonly data = new Map<string, unknown>();
  readonly calls: string[] = [];
  failReads = false;
  async get(key: string): Promise<unknown> {
    this.calls.push('get');
    return this.data.get(key);
  }
  async getMany(keys: readonly string[]): Promise<unknown[]> {
    this.calls.push('getMany');
    if (this.failReads) throw new Error('backend unreachable');
    return keys.map((k) => this.data.get(k));
  }
  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, value);
  }
  async add(key: string, value: unknown): Promise<boolean> {
    if (this.data.has(key)) return false;
    this.data.set(key, value);
    return true;
  }
  async delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }
  async clear(): Promise<void> {
    this.data.clear();
  }
}

class HookStore extends MapStore {
  getWithTags(key: string, tagKeys: readonly string[]): Promise<unknown[]> {
    return getWithTagsByGetMany((keys) => this.getMany(keys), key, tagKeys);
  }
}

describe('the getWithTags store hook', () => {
  it('a read through a tagged view is one store call; without the hook, a get then the versions', async () => {
    for (const [store, expected] of [
      [new HookStore(), ['getMany']],
      [new MapStore(), ['get', 'getMany']],
    ] as const) {
      const m = over(store);
      const view = m.tags(['users', 'active']);
      await view.set('k', { id: 1 });
      store.calls.length = 0;
      expect(await view.get('k')).toEqual({ id: 1 });
      expect(store.calls).toEqual(expected);
      store.calls.length = 0;
      expect(await view.remember('k', 60, () => 'loaded')).toEqual({ id: 1 });
      expect(store.calls).toEqual(expected);
    }
  });

  it('reads the versions of tags the view does not name after the entry, and checks them', async () => {
    const store = new HookStore();
    const m = over(store);
    await m.tags(['a', 'b']).set('k', 'v');
    store.calls.length = 0;
    expect(await m.tags('a').get('k')).toBe('v');
    expect(store.calls).toEqual(['getMany', 'getMany']);
    store.data.delete(tagVersionKey('tr', 'b'));
    expect(await m.tags('a').get('k')).toBeUndefined();
    expect(await m.tags('a').remember('k', 60, () => 'loaded')).toBe('loaded');
  });

  it('a version deleted or unreadable reads as a miss; an unreadable entry is a miss and an error', async () => {
    const store = new HookStore();
    const m = over(store);
    const view = m.tags(['users']);
    await view.set('k', 'v');
    store.data.set(tagVersionKey('tr', 'users'), new UnreadableEntry(new Error('corrupt')));
    expect(await view.get('k')).toBeUndefined();
    expect(m.store('s').stats().errors).toBe(0);
    await view.set('k', 'v2');
    expect(await view.get('k')).toBe('v2');
    store.data.set('tr:k', new UnreadableEntry(new Error('corrupt entry')));
    expect(await view.get('k')).toBeUndefined();
    expect(m.store('s').stats()).toMatchObject({ errors: 1 });
  });

  it('fails open: a failing hook is a miss (fallback, loader runs) and a counted error', async () => {
    const store = new HookStore();
    const m = over(store);
    const view = m.tags(['users']);
    await view.set('k', 'v');
    store.failReads = true;
    expect(await view.get('k')).toBeUndefined();
    expect(await view.get('k', () => 'fallback')).toBe('fallback');
    expect(await view.remember('k', 60, () => 'loaded')).toBe('loaded');
    expect(m.store('s').stats().errors).toBe(3);
  });
});
