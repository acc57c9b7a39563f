import {
  Cache,
  CacheConfigError,
  CacheManager,
  CacheService,
  CacheStoreNotFoundError,
  createCacheManager,
  MemoryStore,
  TaggedCache,
  type CacheApi,
  type CacheStore,
} from '../../src';
import { createFakeCache, ManualClock } from '../../src/testing';

/** A store that remembers which keys it was given, to see the prefix a registered store gets. */
function keyRecordingStore(): CacheStore & { keys: string[] } {
  const inner = new MemoryStore({ pruneInterval: 0 });
  const keys: string[] = [];
  return {
    keys,
    get: (k) => inner.get(k),
    set: (k, v, ttlMs) => (keys.push(k), inner.set(k, v, ttlMs)),
    delete: (k) => inner.delete(k),
    clear: () => inner.clear(),
    ttl: (k) => inner.ttl(k),
  };
}

describe('the manager is a cache', () => {
  let manager: CacheManager;
  beforeEach(() => {
    manager = createCacheManager({
      prefix: 'shop',
      stores: { mem: { driver: 'memory' }, other: { driver: 'memory' } },
      default: 'mem',
    });
  });
  afterEach(() => manager.close());

  it('has the whole Cache API, acting on the current default store', async () => {
    expect(await manager.set('a', 1, 60)).toBe(true);
    expect(await manager.get('a')).toBe(1);
    expect(await manager.get('nope', 'fb')).toBe('fb');
    expect(await manager.has('a')).toBe(true);
    expect(await manager.add('a', 2)).toBe(false);
    expect(await manager.increment('n', 5, '1m')).toBe(5);
    expect(await manager.decrement('n')).toBe(4);
    await manager.setMany({ b: 2, c: 3 });
    expect(await manager.getMany(['b', 'c', 'd'])).toEqual({ b: 2, c: 3, d: undefined });
    expect(await manager.deleteMany(['b', 'd'])).toBe(1);
    expect(await manager.pull('c')).toBe(3);
    expect(await manager.touch('a', 120)).toBe(true);
    expect(await manager.ttl('a')).toBeGreaterThan(60);
    expect(await manager.remember('r', 60, () => 'loaded')).toBe('loaded');
    expect(await manager.rememberForever('rf', () => 'kept')).toBe('kept');
    expect(await manager.forever('f', 'v')).toBe(true);
    expect(await manager.ttl('f')).toBe(Infinity);
    await manager.tags('t').set('tagged', 1);
    await manager.tags('t').flush();
    expect(await manager.get('tagged')).toBeUndefined();
    expect(await manager.delete('a')).toBe(true);
    // All of it landed in "mem", none in "other".
    expect(await manager.store('mem').get('r')).toBe('loaded');
    expect(await manager.store('other').get('r')).toBeUndefined();
    await manager.clear();
    expect(await manager.store('mem').get('r')).toBeUndefined();
  });

  it('follows setDefaultStore at once, for itself and for CacheService', async () => {
    const service = new CacheService(manager);
    manager.setDefaultStore('other');
    await manager.set('k', 'in other');
    expect(await service.get('k')).toBe('in other');
    expect(await manager.store('mem').has('k')).toBe(false);
    manager.setDefaultStore('mem');
    expect(await manager.has('k')).toBe(false);
    expect(await service.has('k')).toBe(false);
  });

  it('has(key) asks about a key; hasStore(name) about a store', async () => {
    expect(await manager.has('mem')).toBe(false);
    await manager.set('mem', 'a key named like a store');
    expect(await manager.has('mem')).toBe(true);
    expect(manager.hasStore('mem')).toBe(true);
    expect(manager.hasStore('redis')).toBe(false);
  });

  it('using(name, fn) runs fn with that store and returns what it returns', async () => {
    expect(manager.using('other', (c) => c.name)).toBe('other');
    const n = manager.using('other', (c) => c.increment('visits'));
    expect(n).toBeInstanceOf(Promise);
    expect(await n).toBe(1);
    expect(await manager.store('other').get('visits')).toBe(1);
    expect(await manager.get('visits')).toBeUndefined();
  });

  it('using(name, fn) with an unknown name throws at the call, without running fn', () => {
    let calls = 0;
    const fn = () => calls++;
    expect(() => manager.using('redsi', fn)).toThrow(CacheStoreNotFoundError);
    expect(() => manager.using('redsi', fn)).toThrow('Cache store "redsi" is not configured. Known stores: mem, other');
    expect(calls).toBe(0);
    expect(() => manager.using('mem', undefined as never)).toThrow(CacheConfigError);
  });

  it('stats() and health() report every store, keyed by name, on the manager and CacheService', async () => {
    const service = new CacheService(manager);
    await manager.get('miss');
    await manager.store('other').set('x', 1);
    for (const api of [manager, service]) {
      const stats = api.stats();
      expect(Object.keys(stats)).toEqual(['mem', 'other']);
      expect(stats.mem.misses).toBe(1);
      expect(stats.other.writes).toBe(1);
      const health = await api.health();
      expect(Object.keys(health)).toEqual(['mem', 'other']);
      expect(health.mem.status).toBe('up');
      expect(await api.isHealthy()).toBe(true);
    }
    // One store's cache reports that store.
    expect(Object.keys(await manager.store('other').health())).toEqual(['other']);
    expect(manager.store('other').stats().writes).toBe(1);
  });
});

describe('registerStore', () => {
  it('applies the module prefix, then its own prefix', async () => {
    const manager = createCacheManager({ prefix: 'shop' });
    const store = keyRecordingStore();
    await manager.registerStore('plain', store).set('k', 1);
    await manager.registerStore('versioned', store, { prefix: 'v2' }).set('k', 2);
    expect(store.keys).toEqual(['shop:k', 'shop:v2:k']);
    expect(await manager.store('plain').get('k')).toBe(1);
    await manager.close();
  });

  it('takes its TTL in seconds or as a duration string', async () => {
    const clock = new ManualClock();
    const manager = createCacheManager({ clock });
    const secs = manager.registerStore('secs', new MemoryStore({ pruneInterval: 0 }, clock), { ttl: 90 });
    const dur = manager.registerStore('dur', new MemoryStore({ pruneInterval: 0 }, clock), { ttl: '10m' });
    await secs.set('k', 1);
    await dur.set('k', 1);
    expect(await secs.ttl('k')).toBe(90);
    expect(await dur.ttl('k')).toBe(600);
    // Without its own TTL, a registered store takes the module's.
    const withModuleTtl = createCacheManager({ clock, ttl: '2m' });
    const plain = withModuleTtl.registerStore('plain', new MemoryStore({ pruneInterval: 0 }, clock));
    await plain.set('k', 1);
    expect(await plain.ttl('k')).toBe(120);
    await withModuleTtl.close();
    clock.advance('91s');
    expect(await secs.get('k')).toBeUndefined();
    expect(await dur.get('k')).toBe(1);
    await manager.close();
  });

  it('refuses a bad name, TTL, prefix or store with a CacheConfigError naming the store', () => {
    const manager = createCacheManager();
    const check = (fn: () => unknown, message: RegExp, field: string) => {
      let error: unknown;
      try {
        fn();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as CacheConfigError).field).toBe(field);
    };
    check(() => manager.registerStore('', new MemoryStore()), /name must be a non-empty string/, 'name');
    check(() => manager.registerStore('x', new MemoryStore(), { ttl: 0 }), /registerStore\("x"\) ttl/, 'ttl');
    check(() => manager.registerStore('x', new MemoryStore(), { ttl: 'soon' }), /registerStore\("x"\) ttl/, 'ttl');
    check(
      () => manager.registerStore('x', new MemoryStore(), { prefix: 5 as never }),
      /prefix must be a string/,
      'prefix',
    );
    check(
      () => manager.registerStore('x', { get() {} } as never),
      /registerStore\("x"\): the store is not a cache store: it lacks set, delete, clear\(\) \(or, in the seed vocabulary, put, forget, flush\(\)\)/,
      'driver',
    );
    expect(manager.hasStore('x')).toBe(false);
  });

  it('refuses a name that is already a store, leaving that store in place and closed with the manager', async () => {
    const manager = createCacheManager({ stores: { memory: { driver: 'memory' }, kept: { driver: 'memory' } } });
    const kept = manager.store('kept');
    await kept.set('k', 1);
    let error: unknown;
    try {
      manager.registerStore('kept', new MemoryStore({ pruneInterval: 0 }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as Error).message).toBe(
      'registerStore("kept"): a store named "kept" is already configured (known stores: memory, kept); register it under another name',
    );
    expect((error as CacheConfigError).store).toBe('kept');
    expect((error as CacheConfigError).field).toBe('name');
    expect(manager.store('kept')).toBe(kept);
    expect(await manager.store('kept').get('k')).toBe(1);
    await manager.close();
  });

  it('warns once when its numeric TTL looks like milliseconds, naming registerStore and the store', () => {
    const warnings: string[] = [];
    const logger = { error: () => undefined, warn: (m: string) => warnings.push(m) };
    const manager = createCacheManager({ logger });
    manager.registerStore('legacy', new MemoryStore({ pruneInterval: 0 }), { ttl: 60000 });
    manager.registerStore('fine', new MemoryStore({ pruneInterval: 0 }), { ttl: 90 });
    expect(warnings).toEqual([
      `registerStore("legacy") ttl: 60000 is read as seconds (16.7 hours). If you meant 60000 ms, write '1m' (a duration string).`,
    ]);
    void manager.close();
  });
});

describe('new CacheManager()', () => {
  it('without settings says to use createCacheManager instead of failing with a TypeError', () => {
    for (const settings of [undefined, {}, { stores: { memory: { driver: 'memory' } } }]) {
      let error: unknown;
      try {
        new CacheManager(settings as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as Error).message).toMatch(/createCacheManager\(options\) from 'nestjs-cachekit'/);
    }
  });
});

describe('CacheApi', () => {
  it('is implemented by Cache, TaggedCache, CacheManager, CacheService and FakeCache alike', async () => {
    const manager = createCacheManager();
    const fake = createFakeCache();
    // Compile-time: each is assignable to CacheApi. Run time: the same call works on each.
    const apis: [string, CacheApi][] = [
      ['Cache', manager.default],
      ['TaggedCache', manager.default.tags('t')],
      ['CacheManager', manager],
      ['CacheService', new CacheService(manager)],
      ['FakeCache', fake],
    ];
    for (const [what, api] of apis) {
      await api.set(`k:${what}`, what);
      expect(await api.get(`k:${what}`)).toBe(what);
      expect(await api.remember(`r:${what}`, 60, () => 1)).toBe(1);
      expect(api.store('memory')).toBeInstanceOf(Cache);
      expect(api.tags('x')).toBeInstanceOf(TaggedCache);
    }
    await manager.close();
    await fake.manager.close();
  });
});
