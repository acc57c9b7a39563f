import { CacheConfigError, CacheManager, CacheStoreNotFoundError, createCacheManager, MemoryStore } from '../../src';
import { ManualClock } from '../../src/testing';

describe('createCacheManager', () => {
  it('defaults to one memory store named "memory"', async () => {
    const m = createCacheManager();
    expect(m.stores()).toEqual(['memory']);
    expect(m.defaultStoreName).toBe('memory');
    expect(m).toBeInstanceOf(CacheManager);
    await m.close();
  });

  it.each([
    [{ stores: { a: { driver: 'nope' } } }, /stores\.a\.driver: unknown driver "nope"/, 'a', 'driver'],
    [
      { default: 'x', stores: { a: { driver: 'memory' } } },
      /default store "x" is not configured\. Known stores: a/,
      'x',
      'default',
    ],
    [{ stores: { a: { driver: 'memory', ttl: 0 } } }, /stores\.a\.ttl/, 'a', 'ttl'],
    [{ ttl: 'soon' }, /Invalid ttl/, undefined, 'ttl'],
    [
      { stores: { a: { driver: 'memory', maxEntries: -1 } } },
      /stores\.a\.maxEntries must be a positive integer/,
      'a',
      'maxEntries',
    ],
    [
      { stores: { a: { driver: { get() {} } } } },
      /stores\.a\.driver is not a cache store: it lacks set, delete, clear/,
      'a',
      'driver',
    ],
    [{ stores: {} }, /names no store/, undefined, 'stores'],
    [{ stores: { a: { driver: 'memory', prefix: 5 } } }, /stores\.a\.prefix must be a string/, 'a', 'prefix'],
    [{ stores: { a: null } }, /stores\.a must be an object/, 'a', undefined],
  ])('rejects invalid options with one clear error (%#)', (options, message, store, field) => {
    let error: unknown;
    try {
      createCacheManager(options as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as CacheConfigError).store).toBe(store);
    expect((error as CacheConfigError).field).toBe(field);
  });

  it('store(name) names the known stores when it fails', () => {
    const m = createCacheManager({ stores: { a: { driver: 'memory' }, b: { driver: 'memory' } } });
    expect(() => m.store('c')).toThrow(CacheStoreNotFoundError);
    expect(() => m.store('c')).toThrow('Cache store "c" is not configured. Known stores: a, b');
    expect(() => m.default.store('c')).toThrow(CacheStoreNotFoundError);
  });

  it('switches the default store and registers custom stores at run time', async () => {
    const m = createCacheManager({ stores: { a: { driver: 'memory' }, b: { driver: 'memory' } } });
    await m.default.set('k', 'in a');
    m.setDefaultStore('b');
    expect(await m.default.get('k')).toBeUndefined();
    expect(() => m.setDefaultStore('zzz')).toThrow(CacheStoreNotFoundError);
    const custom = m.registerStore('custom', new MemoryStore());
    await custom.set('x', 1);
    expect(await m.store('custom').get('x')).toBe(1);
    expect(m.stores()).toEqual(['a', 'b', 'custom']);
    expect(() => m.registerStore('bad', {} as never)).toThrow(CacheConfigError);
    await m.close();
    await m.close();
  });

  it('accepts a store factory receiving its context', () => {
    let seen: string | undefined;
    const m = createCacheManager({
      prefix: 'app',
      stores: {
        mine: {
          prefix: 'v2',
          driver: (ctx) => {
            seen = ctx.namespace;
            return new MemoryStore({}, ctx.clock);
          },
        },
      },
    });
    expect(seen).toBe('app:v2');
    expect(m.defaultStoreName).toBe('mine');
  });

  it('uses the store ttl over the module ttl, and the call ttl over both', async () => {
    const m = createCacheManager({ ttl: '1h', stores: { a: { driver: 'memory', ttl: 60 }, b: { driver: 'memory' } } });
    await m.store('a').set('k', 1);
    await m.store('b').set('k', 1);
    await m.store('a').set('k2', 1, '5s');
    expect(await m.store('a').ttl('k')).toBeCloseTo(60, 0);
    expect(await m.store('b').ttl('k')).toBeCloseTo(3600, 0);
    expect(await m.store('a').ttl('k2')).toBeCloseTo(5, 0);
  });

  it('a failing store init fails ready() naming the store', async () => {
    const store = Object.assign(new MemoryStore(), { init: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const m = createCacheManager({ stores: { r: { driver: store } } });
    await expect(m.ready()).rejects.toThrow('Cache store "r" could not start: connect ECONNREFUSED');
  });

  it('warns at start-up when one store namespace contains another', () => {
    const warnings: string[] = [];
    createCacheManager({
      prefix: 'shop',
      logger: { warn: (m) => warnings.push(m), error: () => undefined },
      // Store objects may share a backend; built-in memory stores cannot (test/config/nested-namespaces.spec.ts).
      stores: {
        a: { driver: new MemoryStore() },
        b: { driver: new MemoryStore(), prefix: 'v2' },
        c: { driver: new MemoryStore(), prefix: 'v3x' },
      },
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/"a" and "b": namespace "shop" contains "shop:v2"/);
  });

  it('emits events to subscribers only', async () => {
    const m = createCacheManager();
    const seen: string[] = [];
    const off = m.on('*', (e) => seen.push(`${e.type}:${e.key}`));
    await m.default.set('k', 1);
    await m.default.get('k');
    await m.default.get('nope');
    off();
    await m.default.get('k');
    expect(seen).toEqual(['write:k', 'hit:k', 'miss:nope']);
  });
});

describe('memory store', () => {
  it('evicts the least recently used entry beyond maxEntries and counts it', async () => {
    const m = createCacheManager({ stores: { m: { driver: 'memory', maxEntries: 2 } } });
    const c = m.default;
    await c.set('a', 1);
    await c.set('b', 2);
    await c.get('a');
    await c.set('c', 3);
    expect(await c.get('b')).toBeUndefined();
    expect(await c.get('a')).toBe(1);
    expect(c.stats()).toMatchObject({ evictions: 1, entries: 2 });
  });

  it('bounds bytes with maxBytes', async () => {
    const m = createCacheManager({ stores: { m: { driver: 'memory', maxBytes: 4096 } } });
    for (let i = 0; i < 100; i++) await m.default.set(`k${i}`, 'x'.repeat(100));
    const stats = m.default.stats();
    expect(stats.bytes).toBeLessThanOrEqual(4096);
    expect(stats.evictions).toBeGreaterThan(0);
  });

  it('reclaims expired entries without reads', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({}, clock);
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, i, 1000);
    clock.advance('2s');
    expect(store.prune()).toBe(10);
    expect(store.stats().entries).toBe(0);
    await store.close();
  });

  it('with clone: false, trades isolation for speed', async () => {
    const m = createCacheManager({ stores: { m: { driver: 'memory', clone: false } } });
    const obj = { n: 1 };
    await m.default.set('o', obj);
    obj.n = 2;
    expect(await m.default.get('o')).toEqual({ n: 2 });
  });

  it('refuses increments past Number.MAX_SAFE_INTEGER and leaves the value', async () => {
    const c = createCacheManager().default;
    await c.set('big', Number.MAX_SAFE_INTEGER);
    await expect(c.increment('big')).rejects.toThrow(/MAX_SAFE_INTEGER/);
    expect(await c.get('big')).toBe(Number.MAX_SAFE_INTEGER);
  });
});
