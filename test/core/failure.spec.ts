import { jest } from '@jest/globals';
import { CacheSerializationError, CacheUnavailableError, createCacheManager, type CacheStore } from '../../src';

/** A store whose backend can be switched off, like a Redis that went away. */
class FlakyStore implements CacheStore {
  down = false;
  data = new Map<string, unknown>();
  private check() {
    if (this.down) return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1'));
    return Promise.resolve();
  }
  async get(k: string) {
    await this.check();
    return this.data.get(k);
  }
  async set(k: string, v: unknown) {
    await this.check();
    this.data.set(k, v);
  }
  async delete(k: string) {
    await this.check();
    return this.data.delete(k);
  }
  async clear() {
    await this.check();
    this.data.clear();
  }
}

describe('a store that is down', () => {
  const errors: string[] = [];
  const logger = { warn: () => undefined, error: (m: string) => errors.push(m) };
  let store: FlakyStore;
  const make = () => createCacheManager({ logger, stores: { flaky: { driver: store } } });
  beforeEach(() => {
    store = new FlakyStore();
    errors.length = 0;
  });

  it('reads fail open and remember serves from the loader', async () => {
    const cache = make().default;
    await cache.set('k', 'v');
    store.down = true;
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('k', 'fb')).toBe('fb');
    expect(await cache.has('k')).toBe(false);
    expect(await cache.getMany(['k'])).toEqual({ k: undefined });
    const loader = jest.fn(async () => 'fresh');
    expect(await cache.remember('k', 60, loader)).toBe('fresh');
    expect(await cache.remember('k', 60, loader)).toBe('fresh');
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('remember does not wait on a store that just failed: no write, no lock, no tag lookup', async () => {
    const cache = make().default;
    store.down = true;
    let calls = 0;
    const count = <T>(fn: T): T =>
      ((...args: unknown[]) => (calls++, (fn as (...a: unknown[]) => unknown)(...args))) as T;
    store.set = count(store.set.bind(store));
    store.delete = count(store.delete.bind(store));
    const getBefore = store.get.bind(store);
    let gets = 0;
    store.get = (k: string) => (gets++, getBefore(k));
    expect(await cache.tags('t').remember('k', 60, () => 'v', { lock: true })).toBe('v');
    expect(gets).toBe(1);
    expect(calls).toBe(0);
  });

  it('writes resolve false instead of throwing', async () => {
    const cache = make().default;
    store.down = true;
    expect(await cache.set('k', 1)).toBe(false);
    expect(await cache.delete('k')).toBe(false);
    expect(await cache.touch('k')).toBe(false);
  });

  it('counters, add, clear and flush throw CacheUnavailableError naming the store', async () => {
    const cache = make().default;
    store.down = true;
    await expect(cache.increment('n')).rejects.toThrow(CacheUnavailableError);
    await expect(cache.add('n', 1)).rejects.toThrow(/Cache store "flaky" is unavailable \(add\)/);
    await expect(cache.clear()).rejects.toThrow(CacheUnavailableError);
    await expect(cache.tags('t').flush()).rejects.toThrow(CacheUnavailableError);
    // remember fails open even with a lock: the loader runs unlocked.
    expect(await cache.remember('l', 60, () => 1, { lock: true })).toBe(1);
  });

  it('logs once per burst and counts every error', async () => {
    const cache = make().default;
    store.down = true;
    for (let i = 0; i < 100; i++) await cache.get('k');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Cache store "flaky" failed on get/);
    expect(cache.stats().errors).toBe(100);
  });

  it('a failed getMany, setMany or deleteMany of 100,000 keys logs its first five keys and "and N more"', async () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
    for (const run of [
      () => make().default.getMany(keys),
      () => make().default.setMany(keys.map((k) => [k, 1] as const)),
      () => make().default.deleteMany(keys),
    ]) {
      store.down = true;
      errors.length = 0;
      await run();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^Cache store "flaky" failed on (getMany|setMany|deleteMany) \("user:0", "user:1", "user:2", "user:3", "user:4" and 99995 more\): ECONNREFUSED/,
      );
      expect(errors[0].length).toBeLessThan(200);
    }
  });

  it('health reports the store down, then up again', async () => {
    const manager = make();
    store.down = true;
    const down = await manager.health();
    expect(down.flaky.status).toBe('down');
    expect(down.flaky.error).toMatch(/ECONNREFUSED/);
    expect(await manager.isHealthy()).toBe(false);
    store.down = false;
    expect((await manager.health()).flaky.status).toBe('up');
  });

  it('health times out a store that hangs', async () => {
    const manager = make();
    store.get = () => new Promise(() => undefined);
    const report = await manager.health(50);
    expect(report.flaky).toMatchObject({ status: 'down', error: expect.stringMatching(/50 ms/) });
  });

  it('a corrupted stored value reads as a miss', async () => {
    const cache = make().default;
    store.get = async () => {
      throw new CacheSerializationError('Stored value is corrupted', 'k');
    };
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('minimal custom store fallbacks', () => {
  it('the four required methods are enough for the whole API', async () => {
    const store = new FlakyStore();
    const cache = createCacheManager({ stores: { s: { driver: store } } }).default;
    await cache.setMany({ a: 1, b: 2 });
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual({ a: 1, b: 2, c: undefined });
    expect(await cache.add('a', 9)).toBe(false);
    expect(await cache.increment('n', 2)).toBe(2);
    expect(await cache.deleteMany(['a', 'b'])).toBe(2);
    expect(await cache.remember('r', 60, () => 'x', { lock: true })).toBe('x');
    await cache.tags('t').set('tagged', 1);
    await cache.tags('t').flush();
    expect(await cache.get('tagged')).toBeUndefined();
    await expect(cache.ttl('r')).rejects.toThrow(/does not support ttl/);
  });
});
