/**
 * Store names are user data: a name of an Object.prototype member ("__proto__", "toString",
 * "constructor", "hasOwnProperty") is an unknown store until configured, and a store like any
 * other once it is (in `stores`, as the default, as a tier, through `registerStore`); a driver
 * named like one is an unknown driver.
 */
import {
  CacheConfigError,
  CacheStoreNotFoundError,
  createCacheManager,
  MemoryStore,
  type CacheManagerOptions,
  type StoreConfig,
} from '../../src';
import { quiet, withManager } from '../support/with-manager';

const NAMES = ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'];

/** `stores` with these names (built entry by entry: `{ __proto__: ... }` in a literal sets the prototype). */
function storesNamed(names: readonly string[], config: (name: string) => StoreConfig): Record<string, StoreConfig> {
  const stores: Record<string, StoreConfig> = {};
  for (const name of names) Object.defineProperty(stores, name, { value: config(name), enumerable: true });
  return stores;
}

describe('store names that are Object.prototype members', () => {
  it('are not stores until configured: hasStore is false, store/using/setDefaultStore throw CacheStoreNotFoundError', async () => {
    await withManager({ stores: { memory: { driver: 'memory' } } }, async (m) => {
      for (const name of NAMES) {
        expect(m.hasStore(name)).toBe(false);
        expect(() => m.store(name)).toThrow(CacheStoreNotFoundError);
        expect(() => m.store(name)).toThrow(`"${name}"`);
        expect(() => m.using(name, (c) => c)).toThrow(CacheStoreNotFoundError);
        expect(() => m.setDefaultStore(name)).toThrow(CacheStoreNotFoundError);
      }
      expect(m.stores()).toEqual(['memory']);
      expect(Object.keys(m.stats())).toEqual(['memory']);
      expect(Object.keys(await m.health())).toEqual(['memory']);
    });
  });

  it('a default or a tier that names one without configuring it is a CacheConfigError naming it', () => {
    for (const name of NAMES) {
      const options: CacheManagerOptions = { logger: quiet, default: name, stores: { memory: { driver: 'memory' } } };
      expect(() => createCacheManager(options)).toThrow(CacheConfigError);
      expect(() => createCacheManager(options)).toThrow(`The default store "${name}" is not configured`);
      const tiers: CacheManagerOptions = {
        logger: quiet,
        stores: { l2: { driver: 'memory' }, near: { driver: 'tiered', tiers: [name, 'l2'], bus: false } },
      };
      expect(() => createCacheManager(tiers)).toThrow(CacheConfigError);
      expect(() => createCacheManager(tiers)).toThrow(`stores.near.tiers[0]: "${name}" is not a configured store`);
    }
  });

  it('a driver named like one is an unknown driver (CacheConfigError naming the store and the driver)', () => {
    for (const driver of NAMES) {
      const options = { logger: quiet, stores: { s: { driver } as unknown as StoreConfig } };
      expect(() => createCacheManager(options)).toThrow(CacheConfigError);
      expect(() => createCacheManager(options)).toThrow(`stores.s.driver: unknown driver "${driver}"`);
    }
  });

  it('configured, each is a store of its own: reads, writes, stats, health, the default, a tier', async () => {
    const stores = storesNamed(NAMES, () => ({ driver: 'memory' }));
    Object.defineProperty(stores, 'near', {
      value: { driver: 'tiered', tiers: ['__proto__', 'toString'], bus: false },
      enumerable: true,
    });
    await withManager({ stores }, async (m) => {
      expect(m.stores()).toEqual([...NAMES, 'near']);
      expect(m.defaultStoreName).toBe('__proto__');
      for (const name of NAMES) {
        expect(m.hasStore(name)).toBe(true);
        expect(await m.store(name).set('k', name)).toBe(true);
      }
      for (const name of NAMES) expect(await m.store(name).get('k')).toBe(name);
      expect(await m.get('k')).toBe('__proto__');
      const stats = m.stats();
      const health = await m.health();
      for (const report of [stats, health]) {
        expect(Object.getPrototypeOf(report)).toBe(Object.prototype);
        expect(Object.keys(report)).toEqual([...NAMES, 'near']);
      }
      for (const name of NAMES) {
        expect(Object.hasOwn(stats, name) && stats[name].writes).toBe(1);
        expect(Object.hasOwn(health, name) && health[name].status).toBe('up');
      }
      // The two-tier store over "__proto__" (L1) and "toString" (L2): its L1 answers, its writes reach its L2.
      expect(await m.store('near').get('k')).toBe('__proto__');
      expect(await m.store('near').set('n', 'both')).toBe(true);
      expect(await m.store('toString').get('n')).toBe('both');
      m.setDefaultStore('constructor');
      expect(await m.get('k')).toBe('constructor');
    });
  });

  it('registerStore takes them as names; a taken one is refused', async () => {
    await withManager({ stores: { memory: { driver: 'memory' } } }, async (m) => {
      for (const name of NAMES) {
        const cache = m.registerStore(name, new MemoryStore());
        expect(m.hasStore(name)).toBe(true);
        expect(m.store(name)).toBe(cache);
        expect(await cache.set('k', name)).toBe(true);
        expect(() => m.registerStore(name, new MemoryStore())).toThrow(`a store named "${name}" is already configured`);
      }
      for (const name of NAMES) expect(await m.store(name).get('k')).toBe(name);
      expect(m.stores()).toEqual(['memory', ...NAMES]);
    });
  });
});
