/**
 * What the memory store holds for a value with isolation `clone`: a private copy per read; for a
 * tagged envelope, the value copied per read and the tag-version map shared (frozen, one object
 * for entries of the same versions), which a reader can neither change nor tell apart.
 */
import { describe, expect, it } from '@jest/globals';
import { createCacheManager, MemoryStore } from '../../../src';
import { ENVELOPE, type Envelope } from '../../../src/core/envelope';
import { HeldEnvelope, TagMaps } from '../../../src/stores/memory/held-values';

const user = (i: number) => ({ id: i, name: 'Ada', roles: ['admin'], address: { city: 'London' } });

describe('tagged envelopes in the memory store', () => {
  it('copies the value on every read and shares one frozen tag map between entries of the same versions', async () => {
    const store = new MemoryStore();
    const m = createCacheManager({ prefix: 'hv', default: 's', stores: { s: { driver: store } } });
    const view = m.tags(['users', 'active']);
    for (let i = 0; i < 4; i++) await view.set(`u${i}`, user(i));
    const [a, b, c] = [await store.get('hv:u1'), await store.get('hv:u1'), await store.get('hv:u2')] as Envelope[];
    expect(a).not.toBe(b);
    expect(a.v).not.toBe(b.v);
    expect(a.v).toEqual(user(1));
    expect(a.t).toBe(b.t);
    expect(a.t).toBe(c.t);
    expect(Object.isFrozen(a.t)).toBe(true);
    expect(Object.keys(a.t!)).toEqual(['users', 'active']);
    expect(() => {
      a.t!.users = 'forged';
    }).toThrow(TypeError);
    // Mutating what a read returned never changes the stored entry.
    const got = (await view.get<ReturnType<typeof user>>('u1'))!;
    got.name = 'Eve';
    got.address.city = 'Paris';
    (a.v as ReturnType<typeof user>).roles.push('root');
    expect(await view.get('u1')).toEqual(user(1));
    expect(await m.get('u1')).toEqual(user(1));
    // After a flush, entries written again get a map of the new versions.
    await view.flush();
    expect(await view.get('u1')).toBeUndefined();
    await view.set('u1', user(1));
    const d = (await store.get('hv:u1')) as Envelope;
    expect(d.t).not.toBe(a.t);
    expect(d.t).not.toEqual(a.t);
    expect(await view.get('u1')).toEqual(user(1));
    await m.close();
  });

  it('keeps the deadline of a stale-while-revalidate entry and scalar values', () => {
    const maps = new TagMaps();
    const held = maps.hold({ [ENVELOPE]: 1, v: 'text', t: { a: 'v1' }, f: 5 })!;
    expect(held).toBeInstanceOf(HeldEnvelope);
    expect(held.copy()).toEqual({ [ENVELOPE]: 1, v: 'text', t: { a: 'v1' }, f: 5 });
    expect(maps.hold({ [ENVELOPE]: 1, v: null, t: { a: 'v1' } })!.copy()).toEqual({
      [ENVELOPE]: 1,
      v: null,
      t: { a: 'v1' },
    });
  });

  it('holds anything else of the envelope marker as a plain value (copied whole on read)', () => {
    const maps = new TagMaps();
    for (const odd of [
      { [ENVELOPE]: 1, v: 1 },
      { [ENVELOPE]: 1, v: 1, t: {} },
      { [ENVELOPE]: 1, v: 1, t: { a: { nested: 'x' } } },
      { [ENVELOPE]: 1, v: 1, t: { a: 'v1' }, extra: true },
      { [ENVELOPE]: 1, v: 1, t: { a: 'v1' }, f: 'soon' },
      { [ENVELOPE]: 2, v: 1, t: { a: 'v1' } },
      { [ENVELOPE]: 1, t: { a: 'v1' } },
    ])
      expect(maps.hold(odd)).toBeUndefined();
  });

  it('a raw envelope of nested tags set through the store stays isolated', async () => {
    const store = new MemoryStore();
    const raw = { [ENVELOPE]: 1, v: { n: 1 }, t: { a: { nested: 'x' } } };
    await store.set('k', raw);
    const got = (await store.get('k')) as { t: { a: { nested: string } } };
    got.t.a.nested = 'changed';
    expect(await store.get('k')).toEqual(raw);
  });
});
