/**
 * The memory store's background sweep (`pruneInterval`): expired entries leave without any read,
 * with the interval given as a number of ms or as a duration string. Entries expire on a manual
 * clock; the sweep's own timer is real and awaited by polling (a cap, never a timing bound).
 */
import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../../src';
import { ManualClock } from '../../../src/testing';

async function swept(store: MemoryStore, entries: number): Promise<boolean> {
  for (let i = 0; i < 500 && store.stats().entries !== entries; i++) await new Promise((r) => setTimeout(r, 10));
  return store.stats().entries === entries;
}

describe('memory store pruneInterval', () => {
  it.each([
    ["'50ms'", '50ms'],
    ['a number of ms', 50],
  ])('%s: the sweep removes expired entries unread', async (_, pruneInterval) => {
    const clock = new ManualClock();
    const store = new MemoryStore({ pruneInterval }, clock, 'mem');
    try {
      await store.set('gone', 1, 1000);
      await store.set('kept', 2);
      clock.advance('2s');
      expect(await swept(store, 1)).toBe(true);
      expect(await store.get('kept')).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('0 (a number) turns the sweep off; a bad interval names the store and field', () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ pruneInterval: 0 }, clock, 'mem');
    void store.set('gone', 1, 1000);
    clock.advance('2s');
    expect(store.stats().entries).toBe(1);
    expect(store.prune()).toBe(1);
    expect(() => new MemoryStore({ pruneInterval: 'often' }, clock, 'mem')).toThrow(
      `stores.mem.pruneInterval must be a number of ms >= 0 or a duration such as '2s', got "often"`,
    );
  });
});
