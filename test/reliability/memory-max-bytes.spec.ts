/**
 * Issue 23, item 5: a memory store with `maxBytes` and a value larger than the whole limit.
 * Before the fix `set` resolved true, the next `get` missed, no eviction was counted, and `add`
 * resolved true twice in a row for one key (lru-cache drops such an item without a word).
 * Now such a value is refused like one over `maxValueBytes`: a CacheSerializationError naming
 * the key, the store and the limit; nothing is written and the previous value stays.
 */
import { CacheSerializationError, createCacheManager, MemoryStore } from '../../src';

const big = 'x'.repeat(20 * 1024); // ~40 KB estimated (two bytes per UTF-16 unit)
const message =
  /^Value for key "big" is about \d+ bytes, over maxBytes \(10000\) of memory store "m"; nothing was written/;

function limited() {
  return createCacheManager({ prefix: 'app', default: 'm', stores: { m: { driver: 'memory', maxBytes: 10_000 } } });
}

async function refusal(write: () => unknown): Promise<unknown> {
  try {
    await write();
  } catch (err) {
    return err;
  }
  throw new Error('the write was not refused');
}

describe('memory store maxBytes: a value larger than the whole limit', () => {
  it('set is refused naming the key and the limit; the previous value stays', async () => {
    const m = limited();
    await m.set('big', 'small');
    const err = await refusal(() => m.set('big', big));
    expect(err).toBeInstanceOf(CacheSerializationError);
    expect((err as CacheSerializationError).key).toBe('big');
    expect((err as Error).message).toMatch(message);
    expect(await m.get('big')).toBe('small');
    expect(m.stats().m).toMatchObject({ evictions: 0, entries: 1 });
    await m.close();
  });

  it('add is refused every time and stays exclusive for values that fit', async () => {
    const m = limited();
    for (let i = 0; i < 2; i++) {
      const err = await refusal(() => m.add('big', big));
      expect(err).toBeInstanceOf(CacheSerializationError);
      expect((err as Error).message).toMatch(message);
    }
    expect(await m.has('big')).toBe(false);
    expect(await m.add('big', 'fits')).toBe(true);
    expect(await m.add('big', 'fits too')).toBe(false);
    expect(await m.get('big')).toBe('fits');
    await m.close();
  });

  it('setMany, tagged set, remember and cache.sync refuse it too, writing nothing', async () => {
    const m = limited();
    const c = m.store('m');
    for (const write of [
      () => c.setMany({ a: 1, big }),
      () => c.tags('t').set('big', big),
      () => c.remember('big', 60, () => big),
      () => c.sync.set('big', big),
    ]) {
      const err = await refusal(write);
      expect(err).toBeInstanceOf(CacheSerializationError);
      expect((err as Error).message).toMatch(message);
    }
    expect(await c.getMany(['a', 'big'])).toEqual({ a: undefined, big: undefined });
    await m.close();
  });

  it('a value that fits is kept and evicts older entries as before (counted)', async () => {
    const m = limited();
    for (let i = 0; i < 10; i++) expect(await m.set(`k${i}`, 'y'.repeat(1000))).toBe(true);
    const stats = m.stats().m;
    expect(stats.bytes).toBeLessThanOrEqual(10_000);
    expect(stats.evictions).toBeGreaterThan(0);
    expect(await m.get('k9')).toBe('y'.repeat(1000));
    await m.close();
  });

  it('the store itself refuses with the same error (store key, store name)', async () => {
    const store = new MemoryStore({ maxBytes: 10_000 }, undefined, 'raw');
    await expect(store.set('big', big)).rejects.toThrow(
      /^Value for key "big" is about \d+ bytes, over maxBytes \(10000\) of memory store "raw"/,
    );
    expect(await store.get('big')).toBeUndefined();
    await store.close();
  });

  it('as the L1 of a two-tier store, it keeps no local copy; the value is stored in L2 and read from it', async () => {
    const m = createCacheManager({
      default: 'near',
      stores: {
        l1: { driver: 'memory', maxBytes: 10_000 },
        l2: { driver: 'memory' },
        near: { driver: 'tiered', tiers: ['l1', 'l2'], bus: false },
      },
    });
    expect(await m.set('big', big)).toBe(true);
    expect(await m.get('big')).toBe(big);
    expect(m.store('l1').stats().entries).toBe(0);
    expect(await m.store('l2').get('big')).toBe(big);
    await m.close();
  });
});
