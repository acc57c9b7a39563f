import {
  CacheArgumentError,
  CacheLockTimeoutError,
  createCacheManager,
  type CacheManager,
  type CacheStore,
} from '../../../src';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cache.lock on the memory store', () => {
  let manager: CacheManager;
  beforeEach(() => (manager = createCacheManager({ prefix: 'locks' })));
  afterEach(() => manager.close());

  it('get(): one holder at a time; release by the owner frees it, by anyone else is refused', async () => {
    const a = manager.lock('job', '10s');
    const b = manager.lock('job', '10s');
    expect(await a.get()).toBe(true);
    expect(await b.get()).toBe(false);
    expect(await b.release()).toBe(false); // not the owner
    expect(await b.get()).toBe(false);
    expect(await a.release()).toBe(true);
    expect(await a.release()).toBe(false); // already released
    expect(await b.get()).toBe(true);
    expect(a.owner).not.toBe(b.owner);
    expect(a.name).toBe('job');
  });

  it('get(fn) runs fn only when acquired, releases afterwards, resolves what fn resolved', async () => {
    const held = manager.lock('report');
    await held.get();
    let ran = 0;
    expect(await manager.lock('report').get(() => ++ran)).toBe(false);
    expect(ran).toBe(0);
    await held.release();
    expect(await manager.lock('report').get(async () => ++ran)).toBe(1);
    expect(await manager.lock('report').get()).toBe(true); // released after fn
  });

  it('get(fn) releases when fn throws, and the error reaches the caller', async () => {
    await expect(
      manager.lock('boom').get(() => {
        throw new Error('fn failed');
      }),
    ).rejects.toThrow('fn failed');
    expect(await manager.lock('boom').get()).toBe(true);
  });

  it('block(wait, fn) waits for a release (woken at once in-process) and then runs', async () => {
    const holder = manager.lock('busy');
    await holder.get();
    const order: string[] = [];
    const waiting = manager.lock('busy').block('5s', () => order.push('waiter ran'));
    await sleep(30);
    order.push('holder releases');
    await holder.release();
    await waiting;
    expect(order).toEqual(['holder releases', 'waiter ran']);
  });

  it('block rejects with CacheLockTimeoutError naming the lock and store after its wait', async () => {
    await manager.lock('stuck', '10s').get();
    const err = await manager
      .lock('stuck')
      .block('100ms')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheLockTimeoutError);
    expect((err as Error).message).toBe(
      'Lock "stuck" on cache store "memory" was still held by another owner after waiting 100 ms',
    );
    expect((err as CacheLockTimeoutError).code).toBe('CACHE_LOCK_TIMEOUT');
  });

  it('an unreleased lock expires after its TTL', async () => {
    await manager.lock('short', '200ms').get();
    expect(await manager.lock('short').get()).toBe(false);
    expect(await manager.lock('short').block('3s')).toBe(true);
  });

  it('a holder whose fn outlives the TTL keeps the lock (renewal), unless renew: false', async () => {
    const slow = manager.lock('renewed', '150ms').get(() => sleep(500));
    await sleep(300); // past the TTL: still held thanks to renewal
    expect(await manager.lock('renewed').get()).toBe(false);
    await slow;
    const lapsed = manager.lock('lapsing', '150ms', { renew: false }).get(() => sleep(500));
    await sleep(300);
    expect(await manager.lock('lapsing').get()).toBe(true); // the first holder lost it at its TTL
    await lapsed;
  });

  it('restoreLock(name, owner) releases from elsewhere; forceRelease frees whoever holds it', async () => {
    const lock = manager.lock('queued', '10s');
    await lock.get();
    expect(await manager.restoreLock('queued', 'somebody-else').release()).toBe(false);
    expect(await manager.restoreLock('queued', lock.owner).release()).toBe(true);
    await manager.lock('queued').get();
    await manager.lock('queued').forceRelease();
    expect(await manager.lock('queued').get()).toBe(true);
  });

  it('locks never collide with cache keys of the same name, nor with remember leases', async () => {
    await manager.set('job', 'value');
    expect(await manager.lock('job').get()).toBe(true);
    expect(await manager.get('job')).toBe('value');
    expect(await manager.remember('job2', 10, () => 'loaded', { lock: true })).toBe('loaded');
  });

  it('bad arguments are typed errors naming what was wrong', () => {
    expect(() => manager.lock('')).toThrow(CacheArgumentError);
    expect(() => manager.lock('x', 0)).toThrow(/ttl of lock "x"/);
    expect(() => manager.lock('x', 'ten seconds')).toThrow(CacheArgumentError);
    expect(() => manager.lock('x', 1, { renew: 'yes' as never })).toThrow(/renew option for lock "x"/);
    expect(() => manager.restoreLock('x', '')).toThrow(/owner for lock "x"/);
    return expect(manager.lock('x').block('soon' as never)).rejects.toThrow(/wait of lock "x"/);
  });

  it('every Cache view has the same locks: store(name), tags(), the manager', async () => {
    await manager.store('memory').lock('shared').get();
    expect(await manager.tags('t').lock('shared').get()).toBe(false);
    expect(await manager.lock('shared').get()).toBe(false);
  });
});

describe('cache.funnel', () => {
  let manager: CacheManager;
  beforeEach(() => (manager = createCacheManager({ prefix: 'funnels' })));
  afterEach(() => manager.close());

  it('lets at most `limit` runs in at once; the others wait for a slot', async () => {
    let active = 0;
    let highest = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        manager.funnel('render', { limit: 3, wait: '10s' }).run(async () => {
          highest = Math.max(highest, ++active);
          await sleep(20);
          active--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(highest).toBe(3);
  });

  it('rejects with CacheLockTimeoutError when no slot frees up within wait (default: one try)', async () => {
    const gate = new Promise<void>((resolve) => setTimeout(resolve, 300));
    const holder = manager.funnel('one', { limit: 1 }).run(() => gate);
    await sleep(10);
    await expect(manager.funnel('one', { limit: 1 }).run(() => 1)).rejects.toBeInstanceOf(CacheLockTimeoutError);
    await expect(manager.funnel('one', { limit: 1, wait: '50ms' }).run(() => 1)).rejects.toThrow(
      'Lock "funnel:one" on cache store "memory" was still held by another owner after waiting 50 ms',
    );
    await holder;
    expect(await manager.funnel('one', { limit: 1 }).run(() => 'free again')).toBe('free again');
  });

  it('a slot is freed when fn throws', async () => {
    await expect(
      manager.funnel('f', { limit: 1 }).run(() => {
        throw new Error('failed');
      }),
    ).rejects.toThrow('failed');
    expect(await manager.funnel('f', { limit: 1 }).run(() => 'ok')).toBe('ok');
  });

  it('bad options are typed errors naming the funnel', () => {
    expect(() => manager.funnel('f', { limit: 0 })).toThrow(/limit of funnel "f"/);
    expect(() => manager.funnel('f', { limit: 1.5 })).toThrow(CacheArgumentError);
    expect(() => manager.funnel('f', undefined as never)).toThrow(/limit of funnel "f"/);
    expect(() => manager.funnel('f', { limit: 2, wait: -1 })).toThrow(/wait of funnel "f"/);
    expect(() => manager.funnel('f', { limit: 2, ttl: 'x' })).toThrow(/ttl of funnel "f"/);
  });
});

describe('locks on a custom store with only the four required methods', () => {
  it('work in-process through get/set/delete (documented as not atomic across processes)', async () => {
    const data = new Map<string, unknown>();
    const store: CacheStore = {
      get: async (k) => data.get(k),
      set: async (k, v) => void data.set(k, v),
      delete: async (k) => data.delete(k),
      clear: async () => data.clear(),
    };
    const manager = createCacheManager({ stores: { plain: { driver: store } }, default: 'plain' });
    const a = manager.lock('x');
    expect(await a.get()).toBe(true);
    expect(await manager.lock('x').get()).toBe(false);
    expect(await manager.lock('x').release()).toBe(false);
    expect(await a.release()).toBe(true);
    await manager.close();
  });
});
