// `cache.sync`: the conformance suite's semantic cases run through it (each call of the suite's
// cache goes to `cache.sync`, its result or error turned into a promise), plus what only the
// synchronous API has (sync remember, errors thrown at the call, the unsupported stores).
import {
  Cache,
  CacheArgumentError,
  CacheService,
  CacheSerializationError,
  CacheUnsupportedError,
  createCacheManager,
  MemoryStore,
  type CacheEvent,
  type CacheManager,
  type CacheStore,
  type SyncCache,
} from '../../src';
import { ManualClock } from '../../src/testing';
import { describeConformanceThrough } from '../../src/testing/store-conformance';

/** What the synchronous API has; `remember` stays async here because the suite's loaders are. */
const THROUGH_SYNC = new Set([
  'get',
  'set',
  'add',
  'has',
  'delete',
  'pull',
  'getMany',
  'setMany',
  'deleteMany',
  'increment',
  'decrement',
  'ttl',
  'touch',
]);

/** `cache` with every method `cache.sync` has answered by `cache.sync`. */
function throughSync(cache: Cache): Cache {
  const sync = cache.sync as unknown as Record<string, (...args: unknown[]) => unknown>;
  return new Proxy(cache, {
    get(target, prop) {
      if (typeof prop === 'string' && THROUGH_SYNC.has(prop)) {
        return (...args: unknown[]) => {
          try {
            return Promise.resolve(sync[prop](...args));
          } catch (err) {
            return Promise.reject(err);
          }
        };
      }
      const member: unknown = Reflect.get(target, prop, target);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}

describeConformanceThrough(
  'memory store through cache.sync',
  (ctx) => new MemoryStore({ pruneInterval: 0 }, ctx.clock, ctx.name, ctx.onEvict),
  {},
  throughSync,
);

describe('cache.sync', () => {
  let clock: ManualClock;
  let manager: CacheManager;
  let cache: Cache;
  beforeEach(() => {
    clock = new ManualClock();
    manager = createCacheManager({ clock, ttl: '1m' });
    cache = manager.default;
  });
  afterEach(() => manager.close());

  it('shares entries with the Promise API, both ways', async () => {
    cache.sync.set('a', { n: 1 });
    expect(await cache.get('a')).toEqual({ n: 1 });
    await cache.set('b', [1, 2]);
    expect(cache.sync.get('b')).toEqual([1, 2]);
    expect(cache.sync.ttl('a')).toBe(60); // the module default applies
  });

  it('sees tag flushes and tagged writes of the Promise API', async () => {
    await cache.tags('users').set('u1', 'Ada');
    expect(cache.sync.get('u1')).toBe('Ada');
    expect(cache.sync.has('u1')).toBe(true);
    await cache.tags('users').flush();
    expect(cache.sync.get('u1')).toBeUndefined();
    expect(cache.sync.has('u1')).toBe(false);
    expect(cache.sync.ttl('u1')).toBeUndefined();
    expect(cache.sync.add('u1', 'Grace')).toBe(true); // a flushed entry is absent for add
    expect(await cache.get('u1')).toBe('Grace');
  });

  it('throws argument errors at the call, as the Promise API rejects with them', () => {
    expect(() => cache.sync.set('k', undefined)).toThrow(CacheArgumentError);
    expect(() => cache.sync.set('k', () => 1)).toThrow(CacheSerializationError);
    expect(() => cache.sync.get('')).toThrow(CacheArgumentError);
    expect(() => cache.sync.set('k', 1, 0)).toThrow(CacheArgumentError);
    expect(() => cache.sync.increment('k', NaN)).toThrow(CacheArgumentError);
    expect(() => cache.sync.decrement('k', Infinity)).toThrow(/decrement\("k"\)/);
    expect(() => cache.sync.getMany('k' as never)).toThrow(CacheArgumentError);
    expect(() => cache.sync.setMany(null as never)).toThrow(CacheArgumentError);
    expect(() => cache.sync.remember('k', 60, 'nope' as never)).toThrow(CacheArgumentError);
    cache.sync.set('s', 'text');
    expect(() => cache.sync.increment('s')).toThrow(/Cannot increment/);
    expect(cache.sync.get('s')).toBe('text');
  });

  describe('remember (synchronous loader)', () => {
    it('runs the loader on a miss only, and stores for ttl', () => {
      let calls = 0;
      const load = () => (calls++, { v: calls });
      expect(cache.sync.remember('r', 10, load)).toEqual({ v: 1 });
      expect(cache.sync.remember('r', 10, load)).toEqual({ v: 1 });
      expect(calls).toBe(1);
      clock.advance('11s');
      expect(cache.sync.remember('r', 10, load)).toEqual({ v: 2 });
      expect(calls).toBe(2);
    });

    it('stores nothing when the loader throws, and does not cache undefined', async () => {
      expect(() =>
        cache.sync.remember('bad', 60, () => {
          throw new Error('loader failed');
        }),
      ).toThrow('loader failed');
      expect(cache.sync.has('bad')).toBe(false);
      expect(cache.sync.remember('u', 60, () => undefined)).toBeUndefined();
      expect(await cache.has('u')).toBe(false);
    });

    it('refuses a loader returning a promise, pointing to the async remember', () => {
      expect(() => cache.sync.remember('p', 60, async () => 1)).toThrow(
        'sync.remember("p"): the loader returned a Promise; use await cache.remember(...) for async loaders',
      );
      expect(cache.sync.has('p')).toBe(false);
    });

    it('serves a stale value with staleTtl and refreshes it in the background', async () => {
      let version = 0;
      const load = () => ++version;
      expect(cache.sync.remember('swr', 10, load, { staleTtl: 60 })).toBe(1);
      clock.advance('11s');
      expect(cache.sync.remember('swr', 10, load, { staleTtl: 60 })).toBe(1);
      await new Promise((r) => setImmediate(r));
      expect(version).toBe(2);
      expect(cache.sync.remember('swr', 10, load, { staleTtl: 60 })).toBe(2);
      expect(cache.stats().staleHits).toBe(1);
    });

    it('shares the async remember entries', async () => {
      await cache.remember('shared', 60, async () => 'from async');
      expect(cache.sync.remember('shared', 60, () => 'from sync')).toBe('from async');
    });
  });

  it('counts in stats and emits events like the Promise API', () => {
    const events: CacheEvent[] = [];
    manager.on('*', (e) => events.push(e));
    cache.sync.set('k', 1);
    cache.sync.get('k');
    cache.sync.get('missing');
    cache.sync.delete('k');
    cache.sync.increment('n');
    const stats = cache.stats();
    expect(stats).toMatchObject({ hits: 1, misses: 1, writes: 2, deletes: 1 });
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual([
      'write k',
      'hit k',
      'miss missing',
      'delete k',
      'write n',
    ]);
  });

  it('a write through sync keeps an async loader in flight from storing its older result', async () => {
    let release!: (v: string) => void;
    const loading = cache.remember('race', 60, () => new Promise<string>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    cache.sync.set('race', 'newer');
    release('older');
    expect(await loading).toBe('older');
    expect(cache.sync.get('race')).toBe('newer');
  });

  it('is on the manager and CacheService while the default store is memory', () => {
    const service = new CacheService(manager);
    const typed: SyncCache = manager.sync; // the exported type, as a user would write it
    typed.set('m', 1);
    expect(service.sync.get('m')).toBe(1);
    expect(cache.sync.get('m')).toBe(1);
  });

  it('throws CacheUnsupportedError naming the store on any other store', () => {
    const plain: CacheStore = {
      get: async () => undefined,
      set: async () => undefined,
      delete: async () => false,
      clear: async () => undefined,
    };
    const m = createCacheManager({ stores: { memory: { driver: 'memory' }, remote: { driver: plain } } });
    expect(() => m.store('remote').sync).toThrow(CacheUnsupportedError);
    const why =
      'Cache store "remote" cannot answer synchronously: cache.sync works on memory stores only; use the Promise API (await cache.get(...)) on this one';
    expect(() => m.store('remote').sync).toThrow(why);
    m.setDefaultStore('remote');
    expect(() => m.sync).toThrow(why);
    expect(() => new CacheService(m).sync).toThrow(CacheUnsupportedError);
    m.setDefaultStore('memory');
    expect(m.sync.set('k', 1)).toBe(true);
    return m.close();
  });

  it('keeps maxValueBytes on synchronous writes', () => {
    const m = createCacheManager({ stores: { memory: { driver: 'memory', maxValueBytes: 16 } } });
    expect(() => m.sync.set('big', 'x'.repeat(100))).toThrow(CacheSerializationError);
    expect(() => m.sync.setMany({ ok: 1, big: 'x'.repeat(100) })).toThrow(CacheSerializationError);
    expect(m.sync.has('ok')).toBe(false);
    return m.close();
  });
});
