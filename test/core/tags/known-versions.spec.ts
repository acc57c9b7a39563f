/**
 * The versions a cache trusts without reading them: only those read at the store's current
 * version epoch, none on a store without one or while it answers -1.
 */
import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../../src';
import { KnownVersions } from '../../../src/core/tags/known-versions';

describe('KnownVersions', () => {
  it('trusts versions noted at the current epoch, and none once it moves', async () => {
    const store = new MemoryStore();
    const known = new KnownVersions(store);
    expect(known.current({ a: 'v1' })).toBe(false);
    await store.set('ns:\u0000t:a', 'v1');
    known.note(known.epoch(), 'a', 'v1');
    known.note(known.epoch(), 'b', 'v2');
    expect(known.current({ a: 'v1', b: 'v2' })).toBe(true);
    expect(known.current({ a: 'v1', b: 'other' })).toBe(false);
    expect(known.current({ a: 'v1', c: 'v3' })).toBe(false);
    await store.set('ns:plain', 'x');
    await store.delete('ns:plain');
    expect(known.current({ a: 'v1' })).toBe(true);
    await store.delete('ns:\u0000t:a');
    expect(known.current({ a: 'v1' })).toBe(false);
    expect(known.current({ b: 'v2' })).toBe(false);
  });

  it('trusts nothing on a store without an epoch, or while a version key has a TTL', async () => {
    const plain = new KnownVersions({
      get: async () => undefined,
      set: async () => undefined,
      delete: async () => false,
      clear: async () => undefined,
    });
    expect(plain.epoch()).toBe(-1);
    plain.note(plain.epoch(), 'a', 'v1');
    expect(plain.current({ a: 'v1' })).toBe(false);
    const store = new MemoryStore();
    const known = new KnownVersions(store);
    await store.set('ns:\u0000t:a', 'v1', 60_000);
    expect(known.epoch()).toBe(-1);
    known.note(known.epoch(), 'a', 'v1');
    expect(known.current({ a: 'v1' })).toBe(false);
    await store.clear();
    known.note(known.epoch(), 'a', 'v1');
    expect(known.current({ a: 'v1' })).toBe(true);
  });

  it('trusts the map it last found current at the same epoch without reading it, never after a change', async () => {
    const store = new MemoryStore();
    const known = new KnownVersions(store);
    await store.set('ns:\u0000t:a', 'v1');
    known.note(known.epoch(), 'a', 'v1');
    let reads = 0;
    const t = Object.freeze(
      Object.defineProperty({}, 'a', {
        enumerable: true,
        get: () => {
          reads++;
          return 'v1';
        },
      }),
    ) as Readonly<Record<string, string>>;
    expect(known.current(t)).toBe(true);
    expect(reads).toBe(1);
    expect(known.current(t)).toBe(true);
    expect(known.current(t)).toBe(true);
    expect(reads).toBe(1);
    // Another map of the same versions is checked (and then remembered instead).
    expect(known.current({ a: 'v1' })).toBe(true);
    expect(known.current(t)).toBe(true);
    expect(reads).toBe(2);
    // A version changed (a flush, an eviction, a clear): the same map is not trusted any more.
    await store.set('ns:\u0000t:a', 'v2');
    expect(known.current(t)).toBe(false);
    known.note(known.epoch(), 'a', 'v2');
    expect(known.current(t)).toBe(false);
    // A version key with a TTL turns the epoch off: nothing is trusted, remembered or not.
    await store.set('ns:\u0000t:a', 'v1');
    known.note(known.epoch(), 'a', 'v1');
    expect(known.current(t)).toBe(true);
    await store.set('ns:\u0000t:b', 'v9', 60_000);
    expect(known.current(t)).toBe(false);
  });
});
