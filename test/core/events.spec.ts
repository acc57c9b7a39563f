import diagnosticsChannel from 'node:diagnostics_channel';
import { jest } from '@jest/globals';
import {
  CACHE_DIAGNOSTICS_CHANNEL,
  CacheArgumentError,
  createCacheManager,
  type CacheEvent,
  type CacheManager,
  type CacheStore,
} from '../../src';
import { CacheEvents } from '../../src/core/cache.events';
import { ManualClock } from '../../src/testing';

/** A store whose backend can be switched off, to produce `error` events. */
function brokenStore(): CacheStore & { down: boolean } {
  const data = new Map<string, unknown>();
  const store = {
    down: false,
    async get(key: string) {
      if (store.down) throw new Error('backend down');
      return data.get(key);
    },
    async set(key: string, value: unknown) {
      if (store.down) throw new Error('backend down');
      data.set(key, value);
    },
    async delete(key: string) {
      return data.delete(key);
    },
    async clear() {
      data.clear();
    },
  };
  return store;
}

describe('cache events', () => {
  let manager: CacheManager;
  let events: CacheEvent[];
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
    manager = createCacheManager({
      clock,
      prefix: 'app',
      logger: { warn: () => undefined, error: () => undefined },
      stores: { memory: { driver: 'memory', maxEntries: 2 } },
    });
    events = [];
    manager.on('*', (e) => events.push(e));
  });
  afterEach(() => manager.close());

  const summary = () => events.map((e) => `${e.type}:${e.store}:${e.key}`);

  it('emits hit and miss with the store, the user key and a duration', async () => {
    const cache = manager.default;
    await cache.get('a');
    await cache.set('a', 1);
    await cache.get('a');
    expect(summary()).toEqual(['miss:memory:a', 'write:memory:a', 'hit:memory:a']);
    for (const e of events) {
      expect(typeof e.durationMs).toBe('number');
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('emits write for set, add, forever, setMany, increment and remember', async () => {
    const cache = manager.default;
    await cache.set('s', 1);
    await cache.add('a', 1);
    await cache.add('a', 2); // not stored: no event
    await cache.forever('f', 1);
    await cache.setMany({ m1: 1, m2: 2 });
    await cache.increment('n');
    await cache.remember('r', '1m', () => 'v');
    const writes = events.filter((e) => e.type === 'write').map((e) => e.key);
    expect(writes).toEqual(['s', 'a', 'f', 'm1', 'm2', 'n', 'r']);
  });

  it('emits delete for delete, deleteMany, pull and clear ("*")', async () => {
    const cache = manager.default;
    await cache.set('a', 1);
    events = [];
    await cache.delete('a');
    await cache.deleteMany(['b', 'c']);
    await cache.set('p', 1);
    await cache.pull('p');
    await cache.clear();
    expect(summary()).toEqual([
      'delete:memory:a',
      'delete:memory:b',
      'delete:memory:c',
      'write:memory:p',
      'hit:memory:p',
      'delete:memory:p',
      'delete:memory:*',
    ]);
  });

  it('emits evict with the user key (without prefix) when the memory store makes room', async () => {
    const cache = manager.default;
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3); // maxEntries 2: 'a' goes
    const evicts = events.filter((e) => e.type === 'evict');
    expect(evicts).toEqual([{ type: 'evict', store: 'memory', key: 'a', durationMs: 0 }]);
    expect(cache.stats().evictions).toBe(1);
  });

  it('emits stale when remember serves a stale value, and flush with the tags', async () => {
    const cache = manager.default;
    await cache.remember('k', '1m', () => 'old', { staleTtl: '1h' });
    clock.advance('2m');
    events = [];
    expect(await cache.remember('k', '1m', () => 'new', { staleTtl: '1h' })).toBe('old');
    expect(summary()).toContain('stale:memory:k');
    await cache.tags(['users', 'a,b']).flush();
    const flush = events.find((e) => e.type === 'flush');
    expect(flush).toMatchObject({ store: 'memory', tags: ['users', 'a,b'] });
  });

  it('emits lock-wait when remember waits for another holder of the lock', async () => {
    const cache = manager.default;
    let release!: () => void;
    const first = cache.remember('k', '1m', () => new Promise<string>((r) => (release = () => r('v'))), {
      lock: true,
    });
    await new Promise((r) => setImmediate(r));
    // A second cache on the same store, as another process would be: its own single-flight, same lock.
    // The module prefix applies, so this cache's keys are the default store's keys.
    manager.registerStore('other', manager.default.driver);
    const second = manager.store('other').remember('k', '1m', () => 'loaded twice', { lock: true });
    await new Promise((r) => setTimeout(r, 30));
    release();
    expect(await first).toBe('v');
    expect(await second).toBe('v');
    const wait = events.find((e) => e.type === 'lock-wait');
    expect(wait).toMatchObject({ store: 'other', key: 'k' });
    expect(wait!.durationMs).toBeGreaterThan(0);
  });

  it('emits error with the key and the cause when the store fails', async () => {
    const store = brokenStore();
    manager.registerStore('flaky', store);
    store.down = true;
    await manager.store('flaky').get('x');
    await manager.store('flaky').set('y', 1);
    const errors = events.filter((e) => e.type === 'error');
    expect(errors.map((e) => `${e.store}:${e.key}`)).toEqual(['flaky:x', 'flaky:y']);
    expect((errors[0].error as Error).message).toBe('backend down');
    expect(typeof errors[0].durationMs).toBe('number');
  });

  it('subscribes to one type, and unsubscribes', async () => {
    const hits: string[] = [];
    const off = manager.on('hit', (e) => hits.push(e.key!));
    await manager.default.set('a', 1);
    await manager.default.get('a');
    await manager.default.get('nope');
    off();
    await manager.default.get('a');
    expect(hits).toEqual(['a']);
  });

  it('refuses an unknown event type (with the closest one) and a listener that is not a function', () => {
    const on = manager.on.bind(manager) as (type: string, listener: unknown) => () => void;
    expect(() => on('set', () => undefined)).toThrow(CacheArgumentError);
    expect(() => on('set', () => undefined)).toThrow(/on\("set"\): not a cache event; did you mean "write"\?/);
    expect(() => on('hits', () => undefined)).toThrow(/did you mean "hit"/);
    expect(() => on('xyzzy-unknown', () => undefined)).toThrow(
      /Events: hit, miss, write, delete, evict, error, stale, lock-wait, flush, or '\*' for all/,
    );
    expect(() => on('hit', 'log')).toThrow(/on\("hit", listener\): the listener must be a function, got string/);
    // Nothing was subscribed by the refused calls.
    expect(() => new CacheEvents().on('*', () => undefined)).not.toThrow();
  });

  it('a throwing listener does not break the cache operation', async () => {
    manager.on('write', () => {
      throw new Error('listener bug');
    });
    await expect(manager.default.set('a', 1)).resolves.toBe(true);
  });

  it('publishes every event on node:diagnostics_channel', async () => {
    const seen: CacheEvent[] = [];
    const onMessage = (m: unknown) => seen.push(m as CacheEvent);
    diagnosticsChannel.subscribe(CACHE_DIAGNOSTICS_CHANNEL, onMessage);
    try {
      await manager.default.set('dc', 1);
      await manager.default.get('dc');
    } finally {
      diagnosticsChannel.unsubscribe(CACHE_DIAGNOSTICS_CHANNEL, onMessage);
    }
    expect(seen.map((e) => `${e.type}:${e.key}`)).toEqual(['write:dc', 'hit:dc']);
  });
});

describe('CacheEvents with nobody listening', () => {
  it('is disabled, so the cache builds no event at all', async () => {
    const bus = new CacheEvents();
    expect(bus.enabled).toBe(false);
    const off = bus.on('hit', () => undefined);
    expect(bus.enabled).toBe(true);
    off();
    expect(bus.enabled).toBe(false);
  });

  it('the cache does not even read the clock for durations until somebody subscribes', async () => {
    const m = createCacheManager({ stores: { memory: { driver: 'memory' } } });
    const now = jest.spyOn(performance, 'now');
    try {
      await m.default.set('k', 1);
      await m.default.get('k');
      await m.default.remember('r', '1m', () => 1);
      expect(now).not.toHaveBeenCalled();
      const off = m.on('*', () => undefined);
      await m.default.get('k');
      expect(now).toHaveBeenCalled();
      off();
    } finally {
      now.mockRestore();
      await m.close();
    }
  });
});
