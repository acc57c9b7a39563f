import { createCacheManager, type CacheManager, type CacheStore } from '../../src';
import { ManualClock } from '../../src/testing';

describe('stats()', () => {
  let manager: CacheManager;
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
    manager = createCacheManager({
      clock,
      logger: { warn: () => undefined, error: () => undefined },
      stores: {
        memory: { driver: 'memory', maxEntries: 3 },
        sized: { driver: 'memory', maxBytes: 100_000 },
      },
    });
  });
  afterEach(() => manager.close());

  it('starts at zero, with a hit ratio of 0 before any read', () => {
    expect(manager.default.stats()).toEqual({
      hits: 0,
      misses: 0,
      hitRatio: 0,
      writes: 0,
      deletes: 0,
      evictions: 0,
      errors: 0,
      staleHits: 0,
      entries: 0,
    });
  });

  it('counts hits, misses and the hit ratio over get, getMany and remember', async () => {
    const c = manager.default;
    await c.set('a', 1);
    await c.get('a'); // hit
    await c.get('b'); // miss
    await c.getMany(['a', 'b', 'c']); // 1 hit, 2 misses
    await c.remember('a', '1m', () => 0); // hit
    await c.remember('r', '1m', () => 0); // miss (then a write)
    const s = c.stats();
    expect(s).toMatchObject({ hits: 3, misses: 4, writes: 2 });
    expect(s.hitRatio).toBeCloseTo(3 / 7);
  });

  it('counts writes and deletes (only removals that removed something)', async () => {
    const c = manager.default;
    await c.setMany({ a: 1, b: 2 });
    await c.increment('n');
    await c.delete('a');
    await c.delete('a'); // nothing left to remove
    await c.deleteMany(['b', 'zzz']);
    expect(c.stats()).toMatchObject({ writes: 3, deletes: 2 });
  });

  it('counts stale hits and evictions, and reports entries', async () => {
    const c = manager.default;
    await c.remember('s', '1m', () => 'old', { staleTtl: '1h' });
    clock.advance('2m');
    await c.remember('s', '1m', () => 'new', { staleTtl: '1h' });
    expect(c.stats().staleHits).toBe(1);
    for (const k of ['a', 'b', 'c', 'd']) await c.set(k, k); // maxEntries 3
    const s = c.stats();
    expect(s.evictions).toBeGreaterThanOrEqual(2);
    expect(s.entries).toBe(3);
  });

  it('reports estimated bytes for a memory store with maxBytes', async () => {
    const c = manager.store('sized');
    expect(c.stats().bytes).toBe(0);
    await c.set('big', 'x'.repeat(1000));
    expect(c.stats().bytes).toBeGreaterThan(1000);
    await c.delete('big');
    expect(c.stats().bytes).toBe(0);
  });

  it('counts errors of a failing store while reads fail open', async () => {
    const failing: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      clear: () => Promise.reject(new Error('down')),
    };
    const c = manager.registerStore('failing', failing);
    expect(await c.get('k')).toBeUndefined();
    expect(await c.set('k', 1)).toBe(false);
    expect(c.stats()).toMatchObject({ errors: 2, misses: 1, writes: 0 });
  });

  it('manager.stats() has one entry per store, and stores count separately', async () => {
    await manager.default.set('a', 1);
    await manager.store('sized').get('a');
    const all = manager.stats();
    expect(Object.keys(all)).toEqual(['memory', 'sized']);
    expect(all.memory).toMatchObject({ writes: 1, misses: 0 });
    expect(all.sized).toMatchObject({ writes: 0, misses: 1 });
  });
});
