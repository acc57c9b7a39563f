// A store's `maxValueBytes` is checked by the cache's writes, not by a wrapper around the store:
// the store a cache reads is the store itself, and every write path (Promise and sync API,
// remember's write of a loaded value) refuses an oversized value naming the caller's key.
import { CacheSerializationError, createCacheManager, MemoryStore, type CacheManager } from '../../src';

const BIG = 'x'.repeat(100);

describe('maxValueBytes', () => {
  let m: CacheManager;
  let store: MemoryStore;

  beforeEach(() => {
    store = new MemoryStore();
    m = createCacheManager({ prefix: 'app', stores: { limited: { driver: store, maxValueBytes: 32 } } });
  });
  afterEach(() => m.close());

  it('leaves the store itself to the cache: no wrapper between a read and the store', () => {
    expect(m.store('limited').driver).toBe(store);
  });

  it('refuses remember writes (plain, tagged, stale-while-revalidate) naming the caller key', async () => {
    const c = m.store('limited');
    for (const write of [
      () => c.remember('r', 60, () => BIG),
      () => c.tags('t').remember('r', 60, () => BIG),
      () => c.remember('r', 60, () => BIG, { staleTtl: 60 }),
    ]) {
      const err = await write().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CacheSerializationError);
      expect((err as CacheSerializationError).key).toBe('r');
      expect((err as Error).message).toMatch(/^Value for key "r" is \d+ bytes, over maxValueBytes \(32\)/);
    }
    expect(await c.has('r')).toBe(false);
  });

  it('counts what is stored: a tagged value carries its envelope', async () => {
    const c = m.store('limited');
    const fits = 'x'.repeat(20);
    expect(await c.set('plain', fits)).toBe(true);
    await expect(c.tags('a-long-tag-name').set('tagged', fits)).rejects.toThrow(CacheSerializationError);
    expect(await c.has('tagged')).toBe(false);
  });

  it('refuses synchronous add and remember, writing nothing', () => {
    const s = m.store('limited').sync;
    expect(() => s.add('a', BIG)).toThrow(/^Value for key "a" is \d+ bytes, over maxValueBytes \(32\)/);
    expect(() => s.remember('r', 60, () => BIG)).toThrow(CacheSerializationError);
    expect(s.getMany(['a', 'r'])).toEqual({ a: undefined, r: undefined });
    expect(s.add('a', 'small')).toBe(true);
  });

  it('refuses a whole setMany when one entry is over: the others are not written', async () => {
    const c = m.store('limited');
    await expect(c.setMany({ ok: 1, big: BIG })).rejects.toThrow(/"big" is \d+ bytes/);
    expect(await c.getMany(['ok', 'big'])).toEqual({ ok: undefined, big: undefined });
  });

  it('never applies to reads: a value written past the limit by the store itself still reads', async () => {
    const c = m.store('limited');
    store.setSync('app:direct', BIG);
    expect(await c.get('direct')).toBe(BIG);
  });
});
