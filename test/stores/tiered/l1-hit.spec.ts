import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  CacheTimeoutError,
  createCacheManager,
  MemoryStore,
  normalizeKey,
  TieredStore,
  type Cache,
  type CacheStore,
  type CacheManager,
} from '../../../src';
import { LocalHub, type LocalBus } from '../../support/local-bus';

// The cache answers a two-tier L1 hit synchronously (the L1 the store exposes as its internal
// `nearSync` while L1 may answer), before the store's async `get`. These specs drive that path through the Cache (get and remember) and check
// that it keeps every rule of the async L1 read (docs/stores-tiered.md).

/** A shared tier that can stall: while `stalled` every call times out, and writes are applied all the same. */
class StallingStore extends MemoryStore {
  stalled = false;

  private check(op: string): void {
    if (this.stalled) throw new CacheTimeoutError('l2', op, 300);
  }

  override async get(key: string): Promise<unknown> {
    this.check('get');
    return super.get(key);
  }

  override async getMany(keys: readonly string[]): Promise<unknown[]> {
    this.check('getMany');
    return super.getMany(keys);
  }

  override async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    await super.set(key, value, ttlMs);
    this.check('set');
  }
}

/** An L1 whose synchronous read can be made to fail, and that can record who called it. */
class FailingL1 extends MemoryStore {
  failure?: Error;
  /** Set to record the call stack of every synchronous read. */
  stacks?: string[];

  override getSync(key: string): unknown {
    this.stacks?.push(new Error().stack ?? '');
    if (this.failure) throw this.failure;
    return super.getSync(key);
  }
}

/** An L1 that answers only through promises (no `getSync`): a memory store behind the four methods. */
const asyncOnly = (inner = new MemoryStore()): CacheStore => ({
  get: (key) => inner.get(key),
  set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
  delete: (key) => inner.delete(key),
  clear: () => inner.clear(),
});

const PREFIX = 'app';
const quiet = { warn: () => undefined, error: () => undefined };
const managers: CacheManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** Two instances (caches a and b) of one two-tier store: a shared L2, one bus hub, an L1 each. */
async function twoInstances() {
  const hub = new LocalHub();
  const l2 = new StallingStore();
  const build = (name: string, l1: MemoryStore) => {
    const bus: LocalBus = hub.bus();
    const store = new TieredStore({ l1, l2, bus }, { name, namespace: PREFIX, logger: quiet });
    const manager = createCacheManager({
      prefix: PREFIX,
      logger: quiet,
      default: 'near',
      stores: { near: { driver: store } },
    });
    managers.push(manager);
    return { cache: manager.default as Cache, store, bus, l1 };
  };
  const a = build('a', new MemoryStore());
  const b = build('b', new FailingL1());
  await Promise.all(managers.map((m) => m.ready()));
  return { l2, a, b: { ...b, l1: b.l1 as FailingL1 } };
}

const stored = (key: string) => normalizeKey(key, PREFIX);
const loader = () => 'loaded';

describe('two-tier store: the L1 hit through the cache', () => {
  it("is answered without the store's async get, for get and remember, as an isolated copy", async () => {
    const { a } = await twoInstances();
    await a.cache.set('user', { name: 'Ada', roles: ['admin'] });
    const get = jest.spyOn(a.store, 'get');
    const read = await a.cache.get<{ name: string; roles: string[] }>('user');
    expect(read).toEqual({ name: 'Ada', roles: ['admin'] });
    read!.roles.push('mutated');
    expect(await a.cache.remember('user', 60, loader)).toEqual({ name: 'Ada', roles: ['admin'] });
    expect(get).not.toHaveBeenCalled();
    // A miss is not known to L1: the store's get reads L2 (and fills L1).
    await a.cache.get('absent');
    expect(get).toHaveBeenCalledTimes(1);
    expect(a.cache.stats().hits).toBe(2);
  });

  it('is read from L1 by the cache itself, with no frame of the two-tier store in between', async () => {
    const { b } = await twoInstances();
    await b.cache.set('k', 'v1');
    b.l1.stacks = [];
    expect(await b.cache.get('k')).toBe('v1');
    expect(await b.cache.remember('k', 60, loader)).toBe('v1');
    expect(b.l1.stacks).toHaveLength(2);
    for (const stack of b.l1.stacks) {
      expect(stack).toMatch(/Cache\.(get|rememberWith)/);
      expect(stack).not.toMatch(/TieredStore\./);
    }
  });

  it('exposes L1 only while it may answer: not while the bus is down, again once it is back', async () => {
    const { b } = await twoInstances();
    expect(b.store.nearSync).toBe(b.l1);
    b.bus.cut();
    expect(b.store.nearSync).toBeUndefined();
    b.bus.reconnect();
    expect(b.store.nearSync).toBe(b.l1);
    // No bus at all: L1 answers from the start. An L1 without getSync is never exposed.
    expect(new TieredStore({ l1: b.l1, l2: new MemoryStore() }).nearSync).toBe(b.l1);
    const asyncL1 = new TieredStore({ l1: asyncOnly(), l2: new MemoryStore() });
    expect(asyncL1.nearSync).toBeUndefined();
    await asyncL1.set('k', 'v');
    expect(await asyncL1.get('k')).toBe('v');
  });

  it("serves another instance's write, not the old copy: the bus dropped it", async () => {
    const { a, b } = await twoInstances();
    await a.cache.set('k', 'v1');
    expect(await b.cache.get('k')).toBe('v1');
    await a.cache.set('k', 'v2');
    expect(await b.cache.get('k')).toBe('v2');
    expect(await b.cache.remember('k', 60, loader)).toBe('v2');
    await a.cache.delete('k');
    expect(await b.cache.get('k')).toBeUndefined();
  });

  it('is not served while the bus is down (L1 bypassed), and L1 starts over once it is back', async () => {
    const { l2, a, b } = await twoInstances();
    await a.cache.set('k', 'v1');
    expect(await b.cache.get('k')).toBe('v1');
    b.bus.cut();
    await a.cache.set('k', 'v2'); // b does not hear of it...
    expect(await b.cache.get('k')).toBe('v2'); // ...but no longer answers from its L1
    await l2.set(stored('k'), 'v3'); // behind both caches' backs
    expect(await b.cache.remember('k', 60, loader)).toBe('v3');
    b.bus.reconnect();
    await l2.set(stored('k'), 'v4'); // b's L1 was emptied on reconnect
    expect(await b.cache.get('k')).toBe('v4');
    await l2.set(stored('k'), 'v5'); // ...and is in use again
    expect(await b.cache.get('k')).toBe('v4');
  });

  it('degraded (bus and L2 down): the L1 copy is what the store falls back to', async () => {
    const { l2, a, b } = await twoInstances();
    await a.cache.set('k', 'v1');
    expect(await b.cache.get('k')).toBe('v1');
    b.bus.cut();
    l2.stalled = true;
    expect(await b.cache.get('k')).toBe('v1');
    expect(await b.cache.remember('k', 60, loader)).toBe('v1');
    expect(b.cache.stats().errors).toBe(0);
  });

  it('a write L2 timed out: the other L1 keeps serving its copy until L2 answers again, then no longer', async () => {
    const { l2, a, b } = await twoInstances();
    await b.cache.set('k', 'old');
    expect(await b.cache.get('k')).toBe('old');
    l2.stalled = true;
    expect(await a.cache.set('k', 'new')).toBe(false);
    expect(await b.cache.get('k')).toBe('old');
    l2.stalled = false;
    // Settling (a read of k on L2, then one bus message) runs in the background: bounded polling.
    const deadline = Date.now() + 10_000;
    while ((await b.cache.get('k')) === 'old' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await b.cache.get('k')).toBe('new');
    expect(await b.cache.remember('k', 60, loader)).toBe('new');
  });

  it('an L1 read that throws fails open like any store failure: get gives the fallback, remember runs the loader', async () => {
    const { b } = await twoInstances();
    await b.cache.set('k', 'v1');
    b.l1.failure = new Error('L1 broke');
    expect(await b.cache.get('k', 'fallback')).toBe('fallback');
    expect(await b.cache.remember('j', 60, loader)).toBe('loaded');
    expect(b.cache.stats().errors).toBe(2);
  });

  it('a tagged entry found in L1 still has its tags checked: flushed, it is a miss', async () => {
    const { a, b } = await twoInstances();
    await a.cache.tags(['users']).set('u', 'v1');
    expect(await b.cache.get('u')).toBe('v1');
    expect(await b.cache.remember('u', 60, loader)).toBe('v1');
    await a.cache.tags(['users']).flush();
    expect(await b.cache.get('u')).toBeUndefined();
    expect(await b.cache.remember('u', 60, loader)).toBe('loaded');
  });
});
