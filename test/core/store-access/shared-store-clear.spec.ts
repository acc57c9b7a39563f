// clear() on one store instance shared by several caches (DESIGN: "clear() removes this cache's
// own keys only (its prefix), never another app's"): through the store's clearNamespace where it
// has one, refused where it has none and another namespace shares the instance.
import { describe, expect, it } from '@jest/globals';
import { CacheUnsupportedError, createCacheManager, MemoryStore, type CacheStore } from '../../../src';
import { quiet } from '../../support/with-manager';

/** A custom store with only the four required methods: its clear() empties everything. */
class MapStore implements CacheStore {
  readonly map = new Map<string, unknown>();
  async get(key: string): Promise<unknown> {
    return this.map.get(key);
  }
  async set(key: string, value: unknown): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<boolean> {
    return this.map.delete(key);
  }
  async clear(): Promise<void> {
    this.map.clear();
  }
}

describe('clear() on one store instance shared by several caches', () => {
  it('memory store given to two managers with different prefixes: clearing one keeps the other', async () => {
    const shared = new MemoryStore();
    const a = createCacheManager({ prefix: 'app-a', logger: quiet, stores: { m: { driver: shared } } });
    const b = createCacheManager({ prefix: 'app-b', logger: quiet, stores: { m: { driver: shared } } });
    await a.set('k', 'a');
    await b.set('k', 'b');
    await b.set('other', 'b2');
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe('b');
    expect(await b.get('other')).toBe('b2');
    await b.clear();
    expect(await b.get('k')).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('memory store registered twice with registerStore under two prefixes', async () => {
    const shared = new MemoryStore();
    const m = createCacheManager({ prefix: 'app', logger: quiet });
    const one = m.registerStore('one', shared, { prefix: 'one' });
    const two = m.registerStore('two', shared, { prefix: 'two' });
    await one.tags('t').set('k', 1);
    await two.tags('t').set('k', 2);
    await two.set('long', 'x'.repeat(2000), 60); // a hashed long key stays in its namespace too
    await one.clear();
    expect(await one.get('k')).toBeUndefined();
    expect(await two.tags('t').get('k')).toBe(2);
    expect(await two.get('long')).toBe('x'.repeat(2000));
    await m.close();
  });

  it('one memory store under two names of one manager (two store prefixes)', async () => {
    const shared = new MemoryStore();
    const m = createCacheManager({
      logger: quiet,
      stores: { x: { driver: shared, prefix: 'x' }, y: { driver: shared, prefix: 'y' } },
    });
    await m.store('x').set('k', 'x');
    await m.store('y').set('k', 'y');
    await m.store('y').clear();
    expect(await m.store('x').get('k')).toBe('x');
    expect(await m.store('y').get('k')).toBeUndefined();
    await m.close();
  });

  it('a store used by one namespace only still clears through clear() when it has no clearNamespace', async () => {
    const store = new MapStore();
    const m = createCacheManager({ logger: quiet, stores: { s: { driver: store } } });
    await m.set('k', 1);
    await m.clear();
    expect(store.map.size).toBe(0);
    await m.close();
  });

  it('a custom store without clearNamespace shared by two namespaces: clear() is refused, nothing lost', async () => {
    const store = new MapStore();
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: () => undefined };
    const a = createCacheManager({ prefix: 'app-a', logger, stores: { s: { driver: store } } });
    const b = createCacheManager({ prefix: 'app-b', logger, stores: { t: { driver: store } } });
    expect(warnings.join('\n')).toMatch(/"app-a".*share one store instance.*clearNamespace/s);
    await a.set('k', 'a');
    await b.set('k', 'b');
    const refused = await a.clear().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(CacheUnsupportedError);
    expect((refused as Error).message).toMatch(/Cache store "s".*clear\(\).*"app-b".*clearNamespace/);
    expect(await a.get('k')).toBe('a');
    expect(await b.get('k')).toBe('b');
    // Once the other manager is closed, the instance is no longer shared: clear() works again.
    await b.close();
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    await a.close();
  });

  it('a seed-vocabulary store registered under two prefixes is seen as one shared instance', async () => {
    const map = new Map<string, unknown>();
    const seed = {
      get: (k: string) => map.get(k),
      put: (k: string, v: unknown) => void map.set(k, v),
      forget: (k: string) => map.delete(k),
      flush: () => map.clear(),
    };
    const m = createCacheManager({ logger: quiet });
    const one = m.registerStore('one', seed, { prefix: 'one' });
    const two = m.registerStore('two', seed, { prefix: 'two' });
    await one.set('k', 1);
    await two.set('k', 2);
    await expect(one.clear()).rejects.toThrow(CacheUnsupportedError);
    expect(await two.get('k')).toBe(2);
    await m.close();
  });

  it('a custom store with clearNamespace is asked for its namespace, and clear() is not called', async () => {
    const store = new MapStore();
    const asked: string[] = [];
    const withHook: CacheStore = Object.assign(Object.create(store) as CacheStore, {
      clear: () => Promise.reject(new Error('clear() must not be called')),
      clearNamespace: async (ns: string) => {
        asked.push(ns);
        for (const k of [...store.map.keys()]) if (k.startsWith(ns + ':')) store.map.delete(k);
      },
    });
    const a = createCacheManager({ prefix: 'app-a', logger: quiet, stores: { s: { driver: withHook } } });
    const b = createCacheManager({ prefix: 'app-b', logger: quiet, stores: { s: { driver: withHook } } });
    await a.set('k', 'a');
    await b.set('k', 'b');
    await a.clear();
    expect(asked).toEqual(['app-a']);
    expect(await b.get('k')).toBe('b');
    await a.close();
    await b.close();
  });

  it('a subclass of a built-in store overriding only clear(): called while its cache is the only user, bypassed when shared', async () => {
    class AuditedMemoryStore extends MemoryStore {
      clears = 0;
      override async clear(): Promise<void> {
        this.clears++;
        await super.clear();
      }
    }
    const store = new AuditedMemoryStore();
    const a = createCacheManager({ prefix: 'app-a', logger: quiet, stores: { m: { driver: store } } });
    await a.set('k', 1);
    await a.clear();
    expect(store.clears).toBe(1);
    expect(await a.get('k')).toBeUndefined();
    // Shared with another namespace: clear() would remove both, so the namespace clear runs.
    const b = createCacheManager({ prefix: 'app-b', logger: quiet, stores: { m: { driver: store } } });
    await a.set('k', 1);
    await b.set('k', 2);
    await a.clear();
    expect(store.clears).toBe(1);
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe(2);
    await b.close();
    await a.clear();
    expect(store.clears).toBe(2);
    await a.close();
  });

  it('warns when namespaces sharing one instance nest (the outer clear() reaches the inner keys)', () => {
    const shared = new MemoryStore();
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: () => undefined };
    const m = createCacheManager({ prefix: 'shop', logger });
    m.registerStore('outer', shared);
    m.registerStore('inner', shared, { prefix: 'v2' });
    expect(warnings.join('\n')).toMatch(/namespace "shop" contains "shop:v2"/);
    void m.close();
  });
});
