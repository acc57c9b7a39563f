/**
 * A built-in memory store that holds its cache's keys without the namespace cannot serve a
 * second key space: another namespace's keys would share its table with the bare keys (a user key
 * `cachekit:x:user:1` of the owner is the store key of `user:1` under namespace `cachekit:x`), and
 * the owner's clear() would remove them. Registering it again under the same manager and
 * namespace shares the key space and stays allowed.
 */
import { CacheConfigError, createCacheManager, MemoryStore } from '../../../src';

const quiet = { warn() {}, error() {} };

describe('own-keys memory store shared with another key space', () => {
  it('refuses registerStore under another prefix, naming both stores, and keeps every entry', async () => {
    const m = createCacheManager({ logger: quiet });
    const own = m.store('memory');
    await own.set('cachekit:x:user:1', 'owner');
    let error: unknown;
    try {
      m.registerStore('other', own.driver, { prefix: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({ store: 'other', field: 'driver' });
    expect((error as Error).message).toContain('built-in memory store of store "memory"');
    expect(m.hasStore('other')).toBe(false);
    expect(await own.get('cachekit:x:user:1')).toBe('owner');
    await m.close();
  });

  it('refuses the instance as the driver of a store of another manager', async () => {
    const a = createCacheManager({ logger: quiet });
    expect(() => createCacheManager({ logger: quiet, stores: { mine: { driver: a.store('memory').driver } } })).toThrow(
      /Cache store "mine" .*built-in memory store of store "memory"/,
    );
    await a.close();
  });

  it('allows the same manager and namespace: one key space', async () => {
    const m = createCacheManager({ logger: quiet });
    const again = m.registerStore('again', m.store('memory').driver);
    await m.store('memory').set('k', 1);
    expect(await again.get('k')).toBe(1);
    await again.clear();
    expect(await m.store('memory').get('k')).toBeUndefined();
    await m.close();
  });

  it('leaves a MemoryStore the user creates free to share across namespaces', async () => {
    const shared = new MemoryStore();
    const m = createCacheManager({
      logger: quiet,
      stores: { a: { driver: shared }, b: { driver: shared, prefix: 'b' } },
    });
    await m.store('a').set('k', 'a');
    await m.store('b').set('k', 'b');
    expect(await m.store('a').get('k')).toBe('a');
    expect(await m.store('b').get('k')).toBe('b');
    await m.close();
  });
});
