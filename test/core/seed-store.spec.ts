import { CacheConfigError, CacheModule, CacheService, createCacheManager, type SeedVocabularyStore } from '../../src';
import { Test } from '@nestjs/testing';

/** A Laravel-style store: synchronous, `forget` answering nothing, TTLs in ms (the store contract's unit). */
function seedStore(): SeedVocabularyStore & { map: Map<string, unknown>; ttls: Map<string, number | undefined> } {
  const map = new Map<string, unknown>();
  const ttls = new Map<string, number | undefined>();
  return {
    map,
    ttls,
    get: (key) => map.get(key),
    put: (key, value, ttlMs) => {
      map.set(key, value);
      ttls.set(key, ttlMs);
    },
    forget: (key) => {
      map.delete(key);
    },
    flush: () => map.clear(),
  };
}

describe('seed-vocabulary stores (get/put/forget/flush)', () => {
  it('are accepted as a driver object and work through the whole API', async () => {
    const store = seedStore();
    const manager = createCacheManager({ prefix: 'app', stores: { legacy: { driver: store, ttl: '1m' } } });
    const cache = manager.default;
    expect(await cache.set('k', { v: 1 })).toBe(true);
    expect(store.map.get('app:k')).toEqual({ v: 1 });
    expect(store.ttls.get('app:k')).toBe(60_000);
    expect(await cache.get('k')).toEqual({ v: 1 });
    expect(await cache.has('k')).toBe(true);
    // forget() returns nothing here: delete() still tells whether something was removed.
    expect(await cache.delete('k')).toBe(true);
    expect(await cache.delete('k')).toBe(false);
    expect(await cache.increment('n', 2)).toBe(2);
    expect(await cache.add('n', 5)).toBe(false);
    expect(await cache.remember('r', 60, () => 'loaded')).toBe('loaded');
    await cache.clear();
    expect(store.map.size).toBe(0);
    await manager.close();
  });

  it('are accepted from a driver factory and from registerStore, adapted once', async () => {
    let built = 0;
    const manager = createCacheManager({
      stores: {
        made: {
          driver: () => {
            built++;
            return seedStore();
          },
        },
      },
    });
    await manager.store('made').set('a', 1);
    expect(await manager.store('made').get('a')).toBe(1);
    expect(built).toBe(1);
    const registered = manager.registerStore('late', seedStore());
    await registered.set('b', 2);
    expect(await manager.store('late').pull('b')).toBe(2);
    await manager.close();
  });

  it('uses a boolean forget() answer and the optional contract methods the store has', async () => {
    const base = seedStore();
    let increments = 0;
    let closed = false;
    const store = {
      ...base,
      forget: (key: string) => base.map.delete(key),
      increment: async (key: string, by: number) => {
        increments++;
        const next = ((base.map.get(key) as number | undefined) ?? 0) + by;
        base.map.set(key, next);
        return next;
      },
      close: async () => {
        closed = true;
      },
    };
    const manager = createCacheManager({ stores: { s: { driver: store } } });
    await manager.default.set('k', 1);
    expect(await manager.default.delete('k')).toBe(true);
    expect(await manager.default.increment('c', 3)).toBe(3);
    expect(increments).toBe(1);
    await manager.close();
    expect(closed).toBe(true);
  });

  it('work as a CacheModule store in a Nest app', async () => {
    const store = seedStore();
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ stores: { legacy: { driver: store } } })],
    }).compile();
    const cache = moduleRef.get(CacheService);
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    await moduleRef.close();
  });

  it('missing methods of both vocabularies are named in one CacheConfigError', () => {
    let error: unknown;
    try {
      createCacheManager({ stores: { half: { driver: { get() {}, put() {} } as never } } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as Error).message).toBe(
      'stores.half.driver is not a cache store: it lacks set, delete, clear() (or, in the seed vocabulary, forget, flush())',
    );
    expect((error as CacheConfigError).store).toBe('half');
    expect((error as CacheConfigError).field).toBe('driver');
  });
});
