/**
 * The keys a cache hands its store. A built-in memory store used only by its own cache holds the
 * user's keys without the namespace (no join, no memo lookup on `get`); bad keys still fail on
 * every read, NUL-led keys stay apart from the cache's internal records, and a memory store that
 * another store uses (a two-tier store's L1) keeps namespaced keys.
 */
import { CacheArgumentError, CacheConfigError, createCacheManager } from '../../src';

describe('keys of a memory store of its own', () => {
  const make = () =>
    createCacheManager({
      logger: { warn() {}, error() {} },
      prefix: 'shop',
      stores: {
        mem: { driver: 'memory', prefix: 'v2' },
        l1: { driver: 'memory' },
        l2: { driver: 'memory' },
        near: { driver: 'tiered', tiers: ['l1', 'l2'], bus: false },
      },
      default: 'mem',
    });

  it('holds the user key as it is, and a namespaced key when it is a tier of another store', async () => {
    const m = make();
    await m.store('mem').set('user:1', { id: 1 });
    expect(await m.store('mem').driver.get('user:1')).toEqual({ id: 1 });
    expect(await m.store('mem').driver.get('shop:v2:user:1')).toBeUndefined();
    await m.store('near').set('k', 'v');
    await m.store('l1').set('k', 'own');
    // l1 is near's L1: both caches of l1 and near keep the namespace, so they share the key.
    expect(await m.store('l1').driver.get('shop:k')).toBe('own');
    expect(await m.store('near').get('k')).toBe('own');
    // l2 is a tier too (namespaced); a memory store nobody else uses is not.
    expect(await m.store('l2').driver.get('shop:k')).toBe('v');
    await m.close();
  });

  it('still rejects bad keys on get, counting nothing', async () => {
    const m = make();
    const cache = m.store('mem');
    for (const bad of ['', '\uD800x', 42 as unknown as string]) {
      await expect(cache.get(bad)).rejects.toBeInstanceOf(CacheArgumentError);
    }
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 });
    expect(await cache.get('absent')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ misses: 1 });
    await m.close();
  });

  it('keeps NUL-led user keys apart from internal records, and hashes long keys as before', async () => {
    const m = make();
    const cache = m.store('mem');
    await cache.tags(['users']).set('a', 1);
    // The tag's version record is `\0t:users` in this store: a user key of those characters is another key.
    expect(await cache.driver.get('\u0000t:users')).toBeDefined();
    expect(await cache.get('\u0000t:users')).toBeUndefined();
    await cache.set('\u0000t:users', 'mine');
    expect(await cache.get('\u0000t:users')).toBe('mine');
    expect(await cache.tags(['users']).get('a')).toBe(1);
    const long = 'k'.repeat(2000);
    await cache.set(long, 'long');
    expect(await cache.get(long)).toBe('long');
    expect(await cache.driver.get(long)).toBeUndefined(); // held under its digest
    const mid = 'm'.repeat(300); // over the memo's length, under the hashing limit
    await cache.set(mid, 'mid');
    expect(await cache.get(mid)).toBe('mid');
    await m.close();
  });

  it('shares the key space with a second cache registered on the same instance and namespace', async () => {
    const m = createCacheManager({ stores: { memory: { driver: 'memory' } } });
    await m.default.set('k', 1);
    m.registerStore('again', m.default.driver);
    expect(await m.store('again').get('k')).toBe(1);
    // Another prefix would put namespaced keys beside the bare ones (test/core/store-access/own-keys.spec.ts).
    expect(() => m.registerStore('other', m.default.driver, { prefix: 'p' })).toThrow(CacheConfigError);
    await m.close();
  });
});
