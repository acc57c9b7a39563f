/**
 * The memory store's LRU table: recency order, the two bounds (entries and size), expiry at the
 * instant itself, and slots reused after deletes and evictions.
 */
import { tagVersionKey } from '../../../src/core/tags/tag-versions';
import { LruTable } from '../../../src/stores/memory/lru-table';
import { ManualClock } from '../../../src/testing/manual-clock';

function table(max: number, maxSize = Infinity) {
  const clock = new ManualClock(1_000_000);
  const evicted: string[] = [];
  const t = new LruTable(max, maxSize, clock, false, (k) => evicted.push(k));
  return { t, clock, evicted };
}

describe('LruTable', () => {
  it('evicts the least recently used entry; get makes an entry recent, has and peek do not', () => {
    const { t, evicted } = table(3);
    t.set('a', 1, 0, 0);
    t.set('b', 2, 0, 0);
    t.set('c', 3, 0, 0);
    expect(t.get('a')).toBe(1); // order now b, c, a
    expect(t.has('b')).toBe(true);
    expect(t.peek('b')).toBe(2);
    t.set('d', 4, 0, 0);
    expect(evicted).toEqual(['b']);
    t.set('c', 30, 0, 0); // an update makes it recent: order a, d, c
    t.set('e', 5, 0, 0);
    expect(evicted).toEqual(['b', 'a']);
    expect([...t.keys()].sort()).toEqual(['c', 'd', 'e']);
    expect(t.get('c')).toBe(30);
    expect(t.size).toBe(3);
  });

  it('reuses the slots of deleted entries and keeps the order of the others', () => {
    const { t, evicted } = table(3);
    t.set('a', 1, 0, 0);
    t.set('b', 2, 0, 0);
    t.set('c', 3, 0, 0);
    expect(t.delete('b')).toBe(true);
    expect(t.delete('b')).toBe(false);
    t.set('d', 4, 0, 0);
    t.set('e', 5, 0, 0); // full: a is the oldest
    expect(evicted).toEqual(['a']);
    for (const k of ['c', 'd', 'e']) expect(t.get(k)).toBeDefined();
    t.clear();
    expect(t.size).toBe(0);
    expect(t.get('c')).toBeUndefined();
    t.set('x', 1, 0, 0);
    expect(t.get('x')).toBe(1);
  });

  it('expires an entry at its expiry instant, keeps its expiry when set with undefined, removes it on read', () => {
    const { t, clock } = table(10);
    const now = clock.now();
    t.set('k', 'v', now + 100, 0);
    t.set('forever', 'f', 0, 0);
    expect(t.remaining('k')).toBe(100);
    expect(t.remaining('forever')).toBe(Infinity);
    t.set('k', 'v2', undefined, 0);
    clock.advance('99ms');
    expect(t.get('k')).toBe('v2');
    clock.advance('1ms');
    expect(t.has('k')).toBe(false);
    expect(t.peek('k')).toBeUndefined();
    expect(t.remaining('k')).toBeUndefined();
    expect(t.delete('k')).toBe(false);
    expect(t.get('forever')).toBe('f');
    expect(t.size).toBe(1);
  });

  it('sweeps expired entries (purgeStale) and counts them', () => {
    const { t, clock, evicted } = table(10);
    const now = clock.now();
    for (let i = 0; i < 6; i++) t.set(`k${i}`, i, i % 2 ? now + 50 : 0, 0);
    clock.advance('50ms');
    expect(t.purgeStale()).toBe(3);
    expect([...t.keys()].sort()).toEqual(['k0', 'k2', 'k4']);
    expect(evicted).toEqual([]);
  });

  it('evicts the least recently used entries to stay within maxSize, never the entry being written', () => {
    const { t, evicted } = table(100, 100);
    t.set('a', 1, 0, 40);
    t.set('b', 2, 0, 40);
    expect(t.calculatedSize).toBe(80);
    t.set('c', 3, 0, 40);
    expect(evicted).toEqual(['a']);
    expect(t.calculatedSize).toBe(80);
    t.set('c', 3, 0, 100); // grows to the whole bound: everything else goes
    expect(evicted).toEqual(['a', 'b']);
    expect(t.calculatedSize).toBe(100);
    expect(t.delete('c')).toBe(true);
    expect(t.calculatedSize).toBe(0);
  });

  it('versionChanges moves on for every change of a version key, never for other keys, across reused slots', () => {
    const { t } = table(2);
    const version = tagVersionKey('ns', 'users');
    const epoch = () => t.versionChanges;
    t.set(version, 'v1', 0, 0);
    t.set('plain', 1, 0, 0);
    const start = epoch();
    t.set('plain', 2, 0, 0);
    t.delete('plain');
    expect(epoch()).toBe(start);
    t.set(version, 'v2', 0, 0);
    expect(epoch()).toBe(start + 1);
    // The version key's slot goes to a plain key: its changes move nothing.
    t.delete(version);
    expect(epoch()).toBe(start + 2);
    t.set('other', 1, 0, 0);
    t.set('other', 2, 0, 0);
    t.delete('other');
    expect(epoch()).toBe(start + 2);
    // A plain key's slot goes to a version key: an eviction of it moves the epoch.
    t.set('a', 1, 0, 0);
    t.set(version, 'v3', 0, 0);
    t.set('b', 1, 0, 0);
    t.set('c', 1, 0, 0); // evicts the version key
    expect(t.has(version)).toBe(false);
    expect(epoch()).toBe(start + 3);
  });

  it('expiringVersions: set once a version key gets an expiry, not for other keys, reset by clear', () => {
    const { t, clock } = table(4);
    const version = tagVersionKey('', 'users');
    t.set('plain', 1, clock.now() + 1000, 0);
    t.set(version, 'v1', 0, 0);
    t.set(version, 'v1', undefined, 0);
    expect(t.expiringVersions).toBe(false);
    t.set(version, 'v1', clock.now() + 1000, 0);
    expect(t.expiringVersions).toBe(true);
    t.clear();
    expect(t.expiringVersions).toBe(false);
  });
});
