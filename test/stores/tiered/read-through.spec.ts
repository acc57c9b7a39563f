import { describe, expect, it } from '@jest/globals';
import { MemoryStore, type CacheStore } from '../../../src';
import { UnreadableEntry } from '../../../src/core/store-access/unreadable-entry';
import { L1Copies } from '../../../src/stores/tiered/l1-copies';
import { ReadThrough } from '../../../src/stores/tiered/read-through';

/** A memory store whose reads wait at a gate until it is opened: a read kept in flight. */
class GatedStore extends MemoryStore {
  private gate?: Promise<void>;
  private openGate?: () => void;

  override close(): Promise<void> {
    this.open();
    return super.close();
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  open(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  override async get(key: string): Promise<unknown> {
    const value = await super.get(key);
    await this.gate;
    return value;
  }
}

describe('two-tier store: reads that L1 cannot answer (read-through)', () => {
  it('copies what L2 holds into L1 for the time L2 still keeps it', async () => {
    const l2 = new MemoryStore();
    const copies = new L1Copies(new MemoryStore(), undefined, true, () => undefined);
    const through = new ReadThrough(l2, copies);
    await l2.set('k', 'v', 30_000);
    expect(await through.one('k')).toBe('v');
    const left = await copies.store.ttl!('k');
    expect(left).toBeLessThanOrEqual(30_000);
    expect(left).toBeGreaterThan(20_000);
    expect(await through.one('missing')).toBeUndefined();
    expect(await copies.store.get('missing')).toBeUndefined();
  });

  it('a value that changed while its read was in flight is returned but not copied', async () => {
    const l2 = new GatedStore();
    const copies = new L1Copies(new MemoryStore(), undefined, true, () => undefined);
    const through = new ReadThrough(l2, copies);
    await l2.set('k', 'old');
    l2.hold();
    const reading = through.one('k');
    await copies.drop('k'); // a write or a bus message for k while the read is in flight
    l2.open();
    expect(await reading).toBe('old');
    expect(await copies.store.get('k')).toBeUndefined();
    await l2.close();
  });

  it('completes a batch from L2, in order, and never copies an unreadable entry', async () => {
    const unreadable = new UnreadableEntry(new Error('bad bytes'));
    const memory = new MemoryStore();
    await memory.set('c', 'l2:c');
    await memory.set('bad', 'undecodable bytes');
    const l2: CacheStore = Object.assign(memory, {
      getMany: async (keys: readonly string[]) => keys.map((k) => (k === 'bad' ? unreadable : memory.getSync(k))),
    });
    const copies = new L1Copies(new MemoryStore(), undefined, true, () => undefined);
    const through = new ReadThrough(l2, copies);
    const out = await through.many(['a', 'bad', 'c'], ['l1:a', undefined, undefined]);
    expect(out).toEqual(['l1:a', unreadable, 'l2:c']);
    expect(await copies.store.get('c')).toBe('l2:c');
    expect(await copies.store.get('bad')).toBeUndefined();
    expect(await copies.store.get('a')).toBeUndefined(); // answered by L1 already: untouched
  });
});
