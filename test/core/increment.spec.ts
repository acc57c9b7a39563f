// The increment arithmetic the in-process stores share (memory, file, Keyv, the get-then-set
// fallback): one check and one message whichever store holds the key.
import { CacheArgumentError, createCacheManager } from '../../src';
import { incremented } from '../../src/core/increment';
import { requiredOnly } from '../support/required-only-store';

describe('incremented', () => {
  it('starts a missing key at 0 and adds', () => {
    expect(incremented('k', undefined, 3)).toBe(3);
    expect(incremented('k', 2.5, -1)).toBe(1.5);
  });

  it.each([
    ['a string', 'x', 'string'],
    ['null', null, 'null'],
    ['an object', { n: 1 }, 'object'],
  ])('refuses a key holding %s, naming the key', (_what, current, named) => {
    const err = (() => {
      try {
        incremented('hits', current, 1);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CacheArgumentError);
    expect((err as CacheArgumentError).key).toBe('hits');
    expect((err as Error).message).toBe(`Cannot increment key "hits": it holds a ${named}, not a number`);
  });

  it('refuses an integer count past Number.MAX_SAFE_INTEGER; floats are not counts', () => {
    expect(() => incremented('k', Number.MAX_SAFE_INTEGER, 1)).toThrow(
      'Cannot increment key "k": the result would exceed Number.MAX_SAFE_INTEGER',
    );
    expect(incremented('k', Number.MAX_SAFE_INTEGER, 0.5)).toBe(Number.MAX_SAFE_INTEGER + 0.5);
  });

  it('is what the fallback of a store without increment uses, naming the caller key', async () => {
    const m = createCacheManager({ prefix: 'app', stores: { plain: { driver: requiredOnly() } } });
    const c = m.store('plain');
    await c.set('app:s', null);
    await expect(c.increment('app:s')).rejects.toThrow('Cannot increment key "app:s": it holds a null, not a number');
    await c.set('n', Number.MAX_SAFE_INTEGER);
    await expect(c.increment('n')).rejects.toThrow(/exceed Number.MAX_SAFE_INTEGER/);
    expect(await c.increment('fresh', 2)).toBe(2);
    await m.close();
  });
});
