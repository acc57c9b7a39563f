import { describe, expect, it } from '@jest/globals';
import { CacheSerializationError, CacheTimeoutError, MemoryStore, TieredStore, type StoreEntry } from '../../../src';
import { MAX_UNSETTLED_KEYS } from '../../../src/stores/tiered/unsettled-writes';
import { LocalHub, type LocalBus } from '../../support/local-bus';

/**
 * A shared tier that can stall: while `stalled`, every call fails with a timeout, and writes are
 * applied all the same (as a paused Redis applies them when it resumes).
 */
class StallingStore extends MemoryStore {
  stalled = false;
  reads = 0;

  private check(op: string): void {
    if (this.stalled) throw new CacheTimeoutError('l2', op, 300);
  }

  override async get(key: string): Promise<unknown> {
    this.reads++;
    this.check('get');
    return super.get(key);
  }

  override async getMany(keys: readonly string[]): Promise<unknown[]> {
    this.reads++;
    this.check('getMany');
    return super.getMany(keys);
  }

  override async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    await super.set(key, value, ttlMs);
    this.check('set');
  }

  override async setMany(entries: readonly StoreEntry[]): Promise<void> {
    await super.setMany(entries);
    this.check('setMany');
  }

  override async delete(key: string): Promise<boolean> {
    const removed = await super.delete(key);
    this.check('delete');
    return removed;
  }

  override async clear(): Promise<void> {
    await super.clear();
    this.check('clear');
  }

  /** What the two-tier store's clear() calls on its tiers (their own keys only). */
  override async clearNamespace(namespace: string): Promise<void> {
    await super.clearNamespace(namespace);
    this.check('clear');
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function setup(logger = { warn: (_m: string) => undefined, error: (_m: string) => undefined }) {
  const hub = new LocalHub();
  const l2 = new StallingStore();
  const busA: LocalBus = hub.bus();
  const a = new TieredStore({ l1: new MemoryStore(), l2, bus: busA }, { name: 'a', logger });
  const b = new TieredStore({ l1: new MemoryStore(), l2, bus: hub.bus() }, { name: 'b', logger });
  return { l2, busA, a, b, init: () => Promise.all([a.init(), b.init()]) };
}

describe('two-tier store: writes whose outcome is unknown (unsettled-writes)', () => {
  it('are announced, in one message, only once L2 answers reads of those keys again; the writer drops its own copies too', async () => {
    const { l2, busA, a, b, init } = setup();
    await init();
    await b.set('k', 'old');
    await b.set('j', 'old');
    busA.published = [];

    l2.stalled = true;
    await expect(a.set('k', 'new')).rejects.toBeInstanceOf(CacheTimeoutError);
    await expect(a.delete('j')).rejects.toBeInstanceOf(CacheTimeoutError);
    const readsWhileStalled = l2.reads;
    await until(() => l2.reads > readsWhileStalled + 1, 'settling retried while L2 stalls');
    expect(busA.published).toEqual([]); // nothing announced while L2 cannot answer
    expect(await b.get('k')).toBe('old'); // b's copy is still served...

    l2.stalled = false;
    await until(() => busA.published.length > 0, 'the keys were announced');
    expect(busA.published).toEqual([['k', 'j']]);
    expect(await b.get('k')).toBe('new'); // ...until then, and no longer
    expect(await b.get('j')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it("a write that fails as the caller's own error never left: nothing is announced", async () => {
    const { l2, busA, a, b, init } = setup();
    await init();
    const set = l2.set.bind(l2);
    l2.set = async () => {
      throw new CacheSerializationError('value of "k" cannot be stored', 'k');
    };
    await expect(a.set('k', 'v')).rejects.toBeInstanceOf(CacheSerializationError);
    l2.set = set;
    busA.published = [];
    // A write that does time out afterwards: had 'k' been counted as unsettled, it would be
    // announced before or with this one.
    l2.stalled = true;
    await expect(a.set('t', 'v')).rejects.toBeInstanceOf(CacheTimeoutError);
    l2.stalled = false;
    await until(() => busA.published.length > 0, 't was announced');
    expect(busA.published).toEqual([['t']]);
    await Promise.all([a.close(), b.close()]);
  });

  it('a clear, or more keys than it remembers, is announced as a clear', async () => {
    const { l2, busA, a, b, init } = setup();
    await init();
    l2.stalled = true;
    await expect(a.clear()).rejects.toBeInstanceOf(CacheTimeoutError);
    l2.stalled = false;
    await until(() => busA.published.length > 0, 'the clear was announced');
    expect(busA.published).toEqual(['clear']);

    busA.published = [];
    l2.stalled = true;
    const entries = Array.from({ length: MAX_UNSETTLED_KEYS + 1 }, (_, i) => ({ key: `k${i}`, value: i }));
    await expect(a.setMany(entries)).rejects.toBeInstanceOf(CacheTimeoutError);
    l2.stalled = false;
    await until(() => busA.published.length > 0, 'the burst was announced');
    expect(busA.published).toEqual(['clear']);
    await Promise.all([a.close(), b.close()]);
  });

  it('closing with writes not yet announced says so, naming the store', async () => {
    const warnings: string[] = [];
    const { l2, a, b, init } = setup({ warn: (m) => (warnings.push(m), undefined), error: () => undefined });
    await init();
    l2.stalled = true;
    await expect(a.set('k', 'v')).rejects.toBeInstanceOf(CacheTimeoutError);
    await a.close();
    expect(warnings).toEqual([
      'Cache store "a": closing before L2 answered again; the other instances were not told of 1 key(s) whose writes may have been applied, and keep their L1 copies until they expire',
    ]);
    await b.close();
  });
});
