import { describe, expect, it } from '@jest/globals';
import { CacheConfigError, createCacheManager, RedisStore, TieredStore } from '../../../src';

const quiet = { warn: () => undefined, error: () => undefined };

describe("driver: 'tiered' configuration", () => {
  it('refuses tiers that do not name two distinct stores, naming the store and field', () => {
    const build = (tiers: unknown) => () =>
      createCacheManager({
        logger: quiet,
        stores: { mem: { driver: 'memory' }, near: { driver: 'tiered', tiers: tiers as [string, string], bus: false } },
      });
    for (const bad of [undefined, ['mem'], ['mem', 'mem'], ['mem', '']]) {
      expect(build(bad)).toThrow(CacheConfigError);
    }
    expect(build(['mem', 'mem'])).toThrow(/stores\.near\.tiers/);
    expect(build(['mem', 'nope'])).toThrow(/nope/);
  });

  it('opens its bus where a Redis L2 connects: RedisStore.target is the connection part of its options', () => {
    const serializer = { serialize: String, deserialize: (t: string) => t };
    const store = new RedisStore(
      { url: 'redis://127.0.0.1:1/3', timeout: 250, serializer },
      { name: 'l2', namespace: 'app' },
    );
    expect(store.target).toEqual({ url: 'redis://127.0.0.1:1/3', timeout: 250 });
    expect(store.target).not.toHaveProperty('serializer');
  });

  it('needs a bus connection when L2 is not a Redis store, unless bus: false', () => {
    const stores = { a: { driver: 'memory' as const }, b: { driver: 'memory' as const } };
    expect(() =>
      createCacheManager({ logger: quiet, stores: { ...stores, near: { driver: 'tiered', tiers: ['a', 'b'] } } }),
    ).toThrow(/stores\.near\.bus/);
    expect(() =>
      createCacheManager({
        logger: quiet,
        stores: { ...stores, near: { driver: 'tiered', tiers: ['a', 'b'], l1Ttl: 0 } },
      }),
    ).toThrow(/l1Ttl/);
  });

  it('without a bus, serves L1 first, back-fills it from L2 and keeps remember/lock/tags working', async () => {
    const manager = createCacheManager({
      logger: quiet,
      default: 'near',
      stores: {
        l1: { driver: 'memory' },
        l2: { driver: 'memory' },
        near: { driver: 'tiered', tiers: ['l1', 'l2'], bus: false, l1Ttl: '1m' },
      },
    });
    await manager.ready();
    const near = manager.store('near');
    expect(near.driver).toBeInstanceOf(TieredStore);
    await manager.store('l2').set('k', 'from-l2', '1h');
    expect(await near.get('k')).toBe('from-l2');
    // Back-filled, bounded by l1Ttl (shorter than the L2 entry's hour).
    const l1Left = await manager.store('l1').ttl('k');
    expect(l1Left).toBeGreaterThan(50);
    expect(l1Left).toBeLessThanOrEqual(60);
    let runs = 0;
    const load = () => near.remember('r', '1m', async () => (runs++, 'v'), { lock: true });
    expect(await Promise.all([load(), load()])).toEqual(['v', 'v']);
    expect(runs).toBe(1);
    await near.tags(['t']).set('tagged', 1);
    await near.tags(['t']).flush();
    expect(await near.get('tagged')).toBeUndefined();
    expect((await near.health()).near.status).toBe('up');
    await manager.close();
  });
});
