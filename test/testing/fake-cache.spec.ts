import { AssertionError } from 'node:assert';
import { CacheService } from '../../src';
import { createFakeCache, FakeCache, ManualClock } from '../../src/testing';

/** The AssertionError thrown by `fn` (sync or async); fails the test if none is. */
/** The AssertionError `fn` throws at the call (a returned promise, even a rejected one, does not count). */
function failure(fn: () => unknown): AssertionError {
  let returned: unknown;
  try {
    returned = fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AssertionError);
    return err as AssertionError;
  }
  throw new Error(`expected an AssertionError thrown at the call; it returned ${String(returned)}`);
}

describe('FakeCache', () => {
  let clock: ManualClock;
  let cache: FakeCache;

  beforeEach(() => {
    clock = new ManualClock();
    cache = createFakeCache({ clock, stores: ['memory', 'redis'] });
  });
  afterEach(() => cache.manager.close());

  it('is a CacheService backed by memory stores, one per configured name', async () => {
    expect(cache).toBeInstanceOf(CacheService);
    expect(cache.manager.stores()).toEqual(['memory', 'redis']);
    await cache.set('k', { a: 1 });
    expect(await cache.get('k')).toEqual({ a: 1 });
    expect(await cache.store('redis').get('k')).toBeUndefined();
  });

  it('accepts stores in CacheModule form, keeping ttl and ignoring the driver', async () => {
    const fake = createFakeCache({
      clock,
      default: 'redis',
      stores: { redis: { driver: 'redis', ttl: '1m' } as never },
    });
    await fake.set('k', 1);
    expect(await fake.ttl('k')).toBe(60);
    await fake.manager.close();
  });

  it('records operations in order, with the store, the key and written values', async () => {
    await cache.get('a');
    await cache.set('a', 1);
    await cache.get('a');
    await cache.store('redis').delete('b');
    await cache.tags(['users']).flush();
    expect(cache.operations()).toEqual([
      { type: 'miss', store: 'memory', key: 'a' },
      { type: 'write', store: 'memory', key: 'a', value: 1 },
      { type: 'hit', store: 'memory', key: 'a' },
      { type: 'delete', store: 'redis', key: 'b' },
      { type: 'flush', store: 'memory', key: 'users', tags: ['users'] },
    ]);
    expect(cache.operations({ type: 'write' })).toHaveLength(1);
    expect(cache.operations({ store: 'redis' })).toEqual([{ type: 'delete', store: 'redis', key: 'b' }]);
  });

  it('records the value as written, even if the app mutates it afterwards', async () => {
    const user = { name: 'Ada' };
    await cache.set('user', user);
    user.name = 'changed';
    cache.assertSet('user', { name: 'Ada' });
  });

  it('drives TTLs with the manual clock', async () => {
    await cache.set('k', 'v', '10m');
    clock.advance('9m');
    cache.assertHas('k');
    clock.advance('61s');
    cache.assertMissing('k');
  });

  it('reset() forgets operations and empties every store', async () => {
    await cache.set('a', 1);
    await cache.store('redis').set('b', 1);
    await cache.reset();
    expect(cache.operations()).toEqual([]);
    cache.assertMissing('a');
    cache.assertMissing('b', 'redis');
  });

  describe('assertions are synchronous', () => {
    it('a passing assertion returns nothing (no promise to forget)', async () => {
      await cache.set('a', 1);
      await cache.tags('t').flush();
      await cache.delete('a');
      await cache.set('a', 1);
      expect(cache.assertHas('a')).toBeUndefined();
      expect(cache.assertMissing('zz')).toBeUndefined();
      expect(cache.assertSet('a', 1)).toBeUndefined();
      expect(cache.assertDeleted('a')).toBeUndefined();
      expect(cache.assertFlushedTags('t')).toBeUndefined();
    });

    it('a failing assertion throws at the call, so a forgotten await cannot pass', async () => {
      await cache.set('held', 1);
      // Called without await, as a hurried test would: each one still throws right here.
      const calls: [string, () => unknown][] = [
        ['assertHas', () => cache.assertHas('absent')],
        ['assertMissing', () => cache.assertMissing('held')],
        ['assertSet', () => cache.assertSet('never')],
        ['assertDeleted', () => cache.assertDeleted('held')],
        ['assertFlushedTags', () => cache.assertFlushedTags('nope')],
      ];
      for (const [name, call] of calls) {
        expect(failure(call).message).toMatch(/^Expected /);
        expect(() => call()).toThrow(AssertionError);
        expect(name).toMatch(/^assert/);
      }
    });
  });

  describe('assertHas / assertMissing', () => {
    it('pass when the key is (not) held', async () => {
      await cache.set('a', 1);
      await cache.store('redis').set('r', 1);
      cache.assertHas('a');
      cache.assertHas('r', 'redis');
      cache.assertMissing('b');
      cache.assertMissing('a', 'redis');
    });

    it('assertHas fails naming the key, the store and what was recorded', async () => {
      await cache.set('other', 1);
      const err = failure(() => cache.assertHas('a'));
      expect(err.message).toBe(
        'Expected the cache to hold "a" in store "memory", but it does not.\n' +
          'Recorded operations:\n  write memory "other" = 1',
      );
    });

    it('assertMissing fails showing the value held', async () => {
      await cache.set('a', { id: 7 });
      const err = failure(() => cache.assertMissing('a'));
      expect(err.message).toMatch(/^Expected "a" to be missing from store "memory", but it holds \{ id: 7 \}\./);
    });

    it('assertMissing, failing, reads without recording: no hit, no counted read', async () => {
      await cache.tags('users').set('a', { id: 7 });
      const err = failure(() => cache.assertMissing('a'));
      expect(err.message).toBe(
        'Expected "a" to be missing from store "memory", but it holds { id: 7 }.\n' +
          'Recorded operations:\n  write memory "a" = { id: 7 }',
      );
      expect(cache.operations().map((op) => op.type)).toEqual(['write']);
      expect(cache.stats()['memory']).toMatchObject({ hits: 0, misses: 0 });
      expect(failure(() => cache.assertHit('a')).message).toMatch(
        /^Expected a cache hit for "a", but none was recorded\./,
      );
    });

    it('a flushed tag makes a key missing', async () => {
      await cache.tags('users').set('u1', 1);
      await cache.tags('users').flush();
      cache.assertMissing('u1');
    });
  });

  describe('assertSet', () => {
    it('passes for any write of the key, or for a write of the expected value', async () => {
      await cache.set('a', 1);
      await cache.set('a', { n: [1, 2] });
      await cache.remember('r', '1m', () => 'loaded');
      await cache.increment('n', 5);
      await cache.setMany({ m: true });
      cache.assertSet('a');
      cache.assertSet('a', 1);
      cache.assertSet('a', { n: [1, 2] });
      cache.assertSet('r', 'loaded');
      cache.assertSet('n', 5);
      cache.assertSet('m', true);
    });

    it('records the value of tagged and stale-while-revalidate writes, not the envelope', async () => {
      await cache.tags('t').set('a', 'tagged');
      await cache.remember('s', '1m', () => 'swr', { staleTtl: '1h' });
      cache.assertSet('a', 'tagged');
      cache.assertSet('s', 'swr');
    });

    it('fails when the key was never written, listing what was', async () => {
      await cache.get('x');
      const err = failure(() => cache.assertSet('a'));
      expect(err.message).toBe(
        'Expected "a" to have been set, but it was never written.\nRecorded operations:\n  miss memory "x"',
      );
    });

    it('fails when the key was written with other values, showing them', async () => {
      await cache.set('a', 1);
      await cache.set('a', 2);
      const err = failure(() => cache.assertSet('a', 3));
      expect(err.message).toMatch(/^Expected "a" to have been set to 3, but it was set to 1, then 2\.\n/);
      expect(err.expected).toBe(3);
    });

    it('says "none" when nothing at all was recorded', async () => {
      const err = failure(() => cache.assertSet('a', 1));
      expect(err.message).toBe(
        'Expected "a" to have been set to 1, but it was never written.\nRecorded operations: none.',
      );
    });
  });

  describe('assertDeleted', () => {
    it('passes after delete, deleteMany or pull', async () => {
      await cache.set('p', 1);
      await cache.delete('a');
      await cache.deleteMany(['b']);
      await cache.pull('p');
      cache.assertDeleted('a');
      cache.assertDeleted('b');
      cache.assertDeleted('p');
    });

    it('fails when the key was not deleted', async () => {
      await cache.delete('b');
      const err = failure(() => cache.assertDeleted('a'));
      expect(err.message).toBe(
        'Expected "a" to have been deleted, but no delete of it was recorded.\nRecorded operations:\n  delete memory "b"',
      );
    });
  });

  describe('assertFlushedTags', () => {
    it('passes when every tag was flushed, in one flush or several', async () => {
      await cache.tags(['users', 'posts']).flush();
      await cache.store('redis').tags('teams').flush();
      cache.assertFlushedTags('users');
      cache.assertFlushedTags('posts', 'users', 'teams');
    });

    it('fails naming the tags that were not flushed and those that were', async () => {
      await cache.tags('users').flush();
      const err = failure(() => cache.assertFlushedTags('users', 'posts'));
      expect(err.message).toMatch(/^Expected tag\(s\) "posts" to have been flushed, but only "users" were flushed\.\n/);
    });

    it('fails without tags given when nothing was flushed', async () => {
      const err = failure(() => cache.assertFlushedTags());
      expect(err.message).toMatch(/^Expected at least one tag to have been flushed, but no tag was flushed\./);
    });
  });

  describe('assertHit / assertMissed', () => {
    it('pass for reads through get, getMany and remember', async () => {
      await cache.get('m1');
      await cache.getMany(['m2']);
      await cache.remember('m3', '1m', () => 1);
      await cache.remember('m3', '1m', () => 1);
      cache.assertMissed('m1');
      cache.assertMissed('m2');
      cache.assertMissed('m3');
      cache.assertHit('m3');
    });

    it('assertHit fails when the key only missed', async () => {
      await cache.get('a');
      const err = failure(() => cache.assertHit('a'));
      expect(err.message).toBe(
        'Expected a cache hit for "a", but none was recorded.\nRecorded operations:\n  miss memory "a"',
      );
    });

    it('assertMissed fails when the key only hit', async () => {
      await cache.set('a', 1);
      await cache.get('a');
      const err = failure(() => cache.assertMissed('a'));
      expect(err.message).toMatch(/^Expected a cache miss for "a", but none was recorded\.\n/);
      expect(err.message).toContain('  hit memory "a"');
    });
  });

  it('getMany answers a "__proto__" key as an own property; such names are store names too', async () => {
    const fake = createFakeCache({ stores: ['__proto__', 'toString'] });
    try {
      expect(fake.manager.stores()).toEqual(['__proto__', 'toString']);
      await fake.set('__proto__', { v: 1 });
      const found = await fake.getMany(['__proto__', 'toString']);
      expect(Object.getPrototypeOf(found)).toBe(Object.prototype);
      expect(Object.hasOwn(found, '__proto__') && found['__proto__']).toEqual({ v: 1 });
      expect(Object.hasOwn(found, 'toString') && found['toString']).toBeUndefined();
      expect(await fake.store('toString').getMany(['__proto__'])).toEqual({ ['__proto__']: undefined });
      fake.assertHit('__proto__');
    } finally {
      await fake.manager.close();
    }
  });
});
