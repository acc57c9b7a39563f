/**
 * The memory store's isolation modes: `clone` (default: a copy per read), `freeze` (one frozen
 * copy, the same object on every read) and `none` (the caller's objects themselves).
 */
import { createCacheManager, MemoryStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing';

// The suite's own isolation case mutates what `get` returned; freeze makes that throw by design
// (covered below instead).
describeStoreConformance(
  'memory store (isolation: freeze)',
  (ctx) => new MemoryStore({ isolation: 'freeze' }, ctx.clock, ctx.name),
  { isolates: false },
);

const profile = (i: number) => ({
  id: i,
  name: 'Ada',
  roles: ['admin', 'editor'],
  address: { city: 'London', zip: 'NW1' },
  history: [
    { at: 1, action: 'login' },
    { at: 2, action: 'update' },
  ],
});

function cacheWith(isolation: 'clone' | 'freeze' | 'none') {
  return createCacheManager({ stores: { m: { driver: 'memory', isolation } } });
}

describe("isolation: 'freeze'", () => {
  it('returns the same deep-frozen object on every read; mutating it throws in strict mode', async () => {
    const m = cacheWith('freeze');
    // Enough writes of one structure that the store compiles its shape (the fast copy path).
    for (let i = 0; i < 20; i++) await m.set(`u${i}`, profile(i));
    const a = await m.get<ReturnType<typeof profile>>('u7');
    const b = await m.get<ReturnType<typeof profile>>('u7');
    expect(a).toBe(b);
    expect(a).toEqual(profile(7));
    for (const part of [a, a!.roles, a!.address, a!.history, a!.history[1]]) expect(Object.isFrozen(part)).toBe(true);
    // Plain objects, as with clone (never the store's internal constructors).
    expect(Object.getPrototypeOf(a!.address)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(() => {
      a!.name = 'Eve';
    }).toThrow(TypeError);
    expect(() => a!.roles.push('root')).toThrow(TypeError);
    expect(() => {
      a!.history[0].action = 'x';
    }).toThrow(TypeError);
    expect(await m.get('u7')).toEqual(profile(7));
    await m.close();
  });

  it('keeps the value apart from the object that was set, which stays mutable', async () => {
    const m = cacheWith('freeze');
    const value = profile(1);
    await m.set('u', value);
    value.name = 'changed';
    value.address.city = 'Paris';
    expect(Object.isFrozen(value)).toBe(false);
    expect(await m.get('u')).toEqual(profile(1));
    await m.close();
  });

  it('copies values holding a Map, Set, Date or Buffer on read (they cannot be frozen)', async () => {
    const m = cacheWith('freeze');
    const value = { at: new Date(5), tags: new Set(['a']), map: new Map([['k', 1]]), bin: Buffer.from('hi') };
    await m.set('v', value);
    const a = await m.get<typeof value>('v');
    expect(a).toEqual(value);
    a!.at.setTime(9);
    a!.tags.add('b');
    a!.map.set('k', 2);
    a!.bin[0] = 0;
    expect(await m.get('v')).toEqual(value);
    expect(await m.get('v')).not.toBe(a);
    await m.close();
  });

  it('works with scalars, null, counters, tags, stale-while-revalidate and getMany', async () => {
    const m = cacheWith('freeze');
    await m.set('s', 'text');
    await m.set('n', null);
    expect(await m.getMany(['s', 'n'])).toEqual({ s: 'text', n: null });
    expect(await m.increment('c', 2)).toBe(2);
    expect(await m.increment('c')).toBe(3);
    await m.tags('t').set('tagged', { a: [1] });
    expect(Object.isFrozen(await m.get('tagged'))).toBe(true);
    await m.tags('t').flush();
    expect(await m.get('tagged')).toBeUndefined();
    expect(await m.remember('r', 60, () => ({ x: 1 }), { staleTtl: 60 })).toEqual({ x: 1 });
    expect(Object.isFrozen(await m.get('r'))).toBe(true);
    expect(m.sync.get('r')).toBe(await m.get('r'));
    await m.close();
  });
});

describe('the other modes', () => {
  it("'clone' (the default) returns a new mutable copy on every read", async () => {
    for (const m of [cacheWith('clone'), createCacheManager()]) {
      await m.set('u', profile(1));
      const a = await m.get<ReturnType<typeof profile>>('u');
      expect(a).not.toBe(await m.get('u'));
      a!.address.city = 'Paris';
      expect(await m.get('u')).toEqual(profile(1));
      await m.close();
    }
  });

  it("'none' stores and returns the caller's object, like clone: false", async () => {
    for (const m of [cacheWith('none'), createCacheManager({ stores: { m: { driver: 'memory', clone: false } } })]) {
      const value = profile(1);
      await m.set('u', value);
      expect(await m.get('u')).toBe(value);
      await m.close();
    }
  });

  it('clone: true agrees with the default and with isolation: clone', async () => {
    const m = createCacheManager({ stores: { m: { driver: 'memory', clone: true, isolation: 'clone' } } });
    await m.set('u', profile(1));
    expect(await m.get('u')).not.toBe(await m.get('u'));
    await m.close();
  });
});
