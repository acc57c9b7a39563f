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
});
