import { describe, expect, it, jest } from '@jest/globals';
import Keyv from 'keyv';
import {
  CacheConfigError,
  CacheTimeoutError,
  CacheUnavailableError,
  createCacheManager,
  KeyvStore,
} from '../../../src';

const quiet = { warn: () => undefined, error: () => undefined };

describe('KeyvStore options', () => {
  it('refuses a store that is no Keyv, adapter or Map, naming the store and field', () => {
    const make = () =>
      createCacheManager({
        logger: quiet,
        stores: { kv: { driver: 'keyv', store: {} as unknown as Map<string, unknown> } },
      });
    expect(make).toThrow(CacheConfigError);
    expect(make).toThrow(/stores\.kv\.store must be a Keyv instance/);
  });

  it('refuses serializer: false without a Keyv instance, and a bad timeout', () => {
    expect(() => new KeyvStore({ store: new Map(), serializer: false }, { namespace: 'n', name: 'kv' })).toThrow(
      /stores\.kv\.serializer/,
    );
    expect(() => new KeyvStore({ store: new Map(), timeout: 0 }, { namespace: 'n', name: 'kv' })).toThrow(
      /stores\.kv\.timeout/,
    );
    expect(() => new KeyvStore({ store: new Map(), timeout: 'later' }, { namespace: 'n', name: 'kv' })).toThrow(
      `stores.kv.timeout must be a number of ms > 0 or a duration such as '2s', got "later"`,
    );
  });

  it('warns at start-up when clear() cannot be limited to the namespace', async () => {
    const warn = jest.fn();
    const data = new Map<string, unknown>();
    const adapter = {
      get: async (k: string) => data.get(k),
      set: async (k: string, v: unknown) => void data.set(k, v),
      delete: async (k: string) => data.delete(k),
      clear: async () => data.clear(),
    };
    const caches = createCacheManager({
      prefix: 'app',
      logger: { warn, error: () => undefined },
      stores: { kv: { driver: 'keyv', store: adapter } },
    });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Cache store "kv".*clear\(\) clears the whole Keyv store/));
    data.set('other', 1);
    await caches.default.set('mine', 1);
    await caches.default.clear();
    expect(data.size).toBe(0);
    await caches.close();
  });

  it('clear() of a listable store leaves other namespaces alone', async () => {
    const shared = new Map<string, unknown>();
    const a = createCacheManager({ prefix: 'a', logger: quiet, stores: { kv: { driver: 'keyv', store: shared } } });
    const b = createCacheManager({ prefix: 'b', logger: quiet, stores: { kv: { driver: 'keyv', store: shared } } });
    await a.default.set('k', 1);
    await b.default.set('k', 2);
    shared.set('foreign', 'x');
    await a.default.clear();
    expect(await a.default.get('k')).toBeUndefined();
    expect(await b.default.get('k')).toBe(2);
    expect(shared.get('foreign')).toBe('x');
  });
});

describe('KeyvStore failures', () => {
  const hanging = {
    get: () => new Promise<never>(() => undefined),
    set: () => new Promise<never>(() => undefined),
    delete: () => new Promise<never>(() => undefined),
    clear: () => new Promise<never>(() => undefined),
  };

  it('bounds a hanging store by its timeout: reads miss, counters throw naming the timeout', async () => {
    const caches = createCacheManager({
      logger: quiet,
      stores: { kv: { driver: 'keyv', store: hanging, timeout: 50 } },
    });
    expect(await caches.default.get('k')).toBeUndefined();
    expect(await caches.default.set('k', 1)).toBe(false);
    const err = await caches.default.increment('n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as Error).cause).toBeInstanceOf(CacheTimeoutError);
    expect((err as Error).message).toMatch(/"kv".*within 50 ms/);
    expect(caches.default.stats().errors).toBeGreaterThan(0);
  });

  it("takes its timeout as a duration string: timeout: '40ms' bounds a hanging store at 40 ms", async () => {
    const caches = createCacheManager({
      logger: quiet,
      stores: { kv: { driver: 'keyv', store: hanging, timeout: '40ms' } },
    });
    expect(await caches.default.get('k', 'fallback')).toBe('fallback');
    const err = await caches.default.increment('n').catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(CacheTimeoutError);
    expect((err as Error).message).toMatch(/"kv".*within 40 ms/);
  });

  it('turns adapter errors into CacheUnavailableError naming the store', async () => {
    const failing = {
      get: async () => {
        throw new Error('connection refused');
      },
      set: async () => undefined,
      delete: async () => true,
      clear: async () => undefined,
    };
    const store = new KeyvStore({ store: failing }, { namespace: 'n', name: 'kv' });
    const err = await store.get('n:k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as Error).message).toMatch(/Cache store "kv" is unavailable \(get\)/);
  });

  it('a Keyv instance that reports a failed write fails the write', async () => {
    const keyv = new Keyv();
    jest.spyOn(keyv, 'set').mockResolvedValue(false);
    const store = new KeyvStore({ store: keyv }, { namespace: 'n', name: 'kv' });
    await expect(store.set('n:k', 1)).rejects.toThrow(CacheUnavailableError);
  });
});

describe('KeyvStore with serializer: false (a Keyv instance keeps its own serializer)', () => {
  it('hands values over as they are and reads ttl from the Keyv entry', async () => {
    const keyv = new Keyv({ serialize: undefined, deserialize: undefined });
    const store = new KeyvStore({ store: keyv, serializer: false }, { namespace: 'n', name: 'kv' });
    const value = { list: [1] };
    await store.set('n:k', value, 10_000);
    expect(await store.get('n:k')).toBe(value);
    expect(await keyv.get('n:k')).toBe(value);
    const left = await store.ttl('n:k');
    expect(left).toBeGreaterThan(9000);
    expect(left).toBeLessThanOrEqual(10_000);
    await store.set('n:f', 1);
    expect(await store.ttl('n:f')).toBe(Infinity);
    expect(await store.ttl('n:missing')).toBeUndefined();
    expect(await store.increment('n:c', 2)).toBe(2);
  });

  it("takes the Keyv instance's own ttl as the store's default: writes without a TTL get it, forever() never expires", async () => {
    const keyv = new Keyv({ ttl: 5000 });
    const manager = createCacheManager({ stores: { k: { driver: 'keyv', store: keyv } } });
    const cache = manager.store('k');
    await cache.set('d', 'v');
    const left = await cache.ttl('d');
    expect(left).toBeGreaterThan(4);
    expect(left).toBeLessThanOrEqual(5);
    await cache.forever('f', 'always');
    await cache.remember('r', undefined, () => 'loaded');
    expect(await cache.ttl('f')).toBe(Infinity);
    // Keyv itself keeps no expiry for it either (its own ttl would have dropped it after 5 s).
    const raw = (await keyv.get('f', { raw: true })) as { expires?: number } | undefined;
    expect(raw?.expires).toBeUndefined();
    expect(await cache.ttl('r')).toBeLessThanOrEqual(5);
    // A configured TTL (the store's, else the module's) comes before the instance's.
    const configured = createCacheManager({
      ttl: '1m',
      stores: { k: { driver: 'keyv', store: new Keyv({ ttl: 5000 }) } },
    });
    await configured.store('k').set('m', 1);
    expect(await configured.store('k').ttl('m')).toBeGreaterThan(50);
    // The store alone (no cache above it): no TTL means none.
    const store = new KeyvStore({ store: new Keyv({ ttl: 5000 }) }, { namespace: 'n' });
    await store.set('n:k', 'v');
    expect(await store.ttl('n:k')).toBe(Infinity);
    await manager.close();
    await configured.close();
  });

  it('disconnects on close unless told not to', async () => {
    const keyv = new Keyv();
    const spy = jest.spyOn(keyv, 'disconnect');
    await new KeyvStore({ store: keyv, disconnect: false }, { namespace: 'n' }).close();
    expect(spy).not.toHaveBeenCalled();
    await new KeyvStore({ store: keyv }, { namespace: 'n' }).close();
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
