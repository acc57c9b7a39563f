import { createCacheManager, CacheArgumentError, type CacheManager } from '../../../src';
import { ManualClock } from '../../../src/testing';

const quiet = { warn: () => undefined, error: () => undefined };
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('remember', () => {
  let clock: ManualClock;
  let manager: CacheManager;
  beforeEach(() => {
    clock = new ManualClock();
    manager = createCacheManager({ clock, logger: quiet });
  });
  afterEach(() => manager.close());

  it('runs the loader once for 1,000 concurrent callers', async () => {
    let calls = 0;
    const loader = async () => {
      calls++;
      await tick(10);
      return 'v';
    };
    const results = await Promise.all(Array.from({ length: 1000 }, () => manager.default.remember('k', 60, loader)));
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['v']));
  });

  it('single-flight holds for tags(...).remember too', async () => {
    let calls = 0;
    const tagged = manager.default.tags('t');
    await Promise.all(
      Array.from({ length: 50 }, () => tagged.remember('k', 60, async () => (calls++, tick(5)).then(() => 1))),
    );
    expect(calls).toBe(1);
  });

  it('a caller whose store read missed while another load stored the key does not load again', async () => {
    // B's read is issued before A's write and answers only after A's whole load is over: the
    // miss it reports is already outdated, and the single-flight of A has ended.
    const data = new Map<string, unknown>();
    const held: (() => void)[] = [];
    let holdNext = false;
    const store = {
      async get(key: string) {
        const snapshot = data.get(key);
        if (holdNext) {
          holdNext = false;
          await new Promise<void>((resolve) => held.push(resolve));
        }
        return snapshot;
      },
      async set(key: string, value: unknown) {
        data.set(key, value);
      },
      async delete(key: string) {
        return data.delete(key);
      },
      async clear() {
        data.clear();
      },
    };
    const m = createCacheManager({ default: 'slow', stores: { slow: { driver: store } }, logger: quiet });
    let calls = 0;
    const loader = () => (calls++, 'v');
    holdNext = true;
    const b = m.default.remember('k', 60, loader);
    const a = await m.default.remember('k', 60, loader);
    held.forEach((release) => release());
    expect([a, await b]).toEqual(['v', 'v']);
    expect(calls).toBe(1);
    await m.close();
  });

  it('supports plain (non-Promise) loaders', async () => {
    expect(await manager.default.remember('sync', 60, () => 7)).toBe(7);
    expect(await manager.default.get('sync')).toBe(7);
  });

  it('returns but does not cache a loader result of undefined', async () => {
    expect(await manager.default.remember('u', 60, () => undefined)).toBeUndefined();
    expect(await manager.default.has('u')).toBe(false);
  });

  it('expires after ttl; rememberForever never does', async () => {
    await manager.default.remember('t', 10, () => 1);
    await manager.default.rememberForever('f', () => 2);
    clock.advance('11s');
    expect(await manager.default.get('t')).toBeUndefined();
    clock.advance('3650d');
    expect(await manager.default.get('f')).toBe(2);
  });

  it('rejects a non-function loader and bad options', async () => {
    await expect(manager.default.remember('x', 60, 5 as never)).rejects.toThrow(CacheArgumentError);
    await expect(manager.default.remember('x', 60, () => 1, { jitter: 2 })).rejects.toThrow(/jitter/);
    await expect(manager.default.remember('x', 60, () => 1, { staleTtl: -1 })).rejects.toThrow(/staleTtl/);
  });

  it('jitter shortens the TTL by at most the fraction', async () => {
    for (let i = 0; i < 20; i++) await manager.default.remember(`j${i}`, 100, () => i, { jitter: 0.2 });
    const ttls = await Promise.all(Array.from({ length: 20 }, (_, i) => manager.default.ttl(`j${i}`)));
    for (const t of ttls) expect(t).toBeGreaterThanOrEqual(80);
    for (const t of ttls) expect(t).toBeLessThanOrEqual(100);
    expect(new Set(ttls).size).toBeGreaterThan(1);
  });

  describe('stale-while-revalidate', () => {
    it('serves stale at once, refreshes once in the background, then serves fresh', async () => {
      let version = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const loader = async () => {
        version++;
        if (version > 1) await gate;
        return `v${version}`;
      };
      expect(await manager.default.remember('swr', 10, loader, { staleTtl: 60 })).toBe('v1');
      expect(await manager.default.ttl('swr')).toBe(10);
      clock.advance('15s');
      const stale = await Promise.all(
        Array.from({ length: 10 }, () => manager.default.remember('swr', 10, loader, { staleTtl: 60 })),
      );
      expect(stale).toEqual(Array(10).fill('v1'));
      expect(version).toBe(2);
      expect(manager.default.stats().staleHits).toBe(10);
      // Outside remember, a stale entry counts as missing.
      expect(await manager.default.get('swr')).toBeUndefined();
      expect(await manager.default.ttl('swr')).toBeUndefined();
      release();
      await tick();
      expect(await manager.default.remember('swr', 10, loader, { staleTtl: 60 })).toBe('v2');
      expect(version).toBe(2);
    });

    it('keeps serving stale when the refresh fails (fail-safe), until staleTtl ends', async () => {
      let fail = false;
      const loader = async () => {
        if (fail) throw new Error('backend down');
        return 'good';
      };
      await manager.default.remember('fs', 10, loader, { staleTtl: 30 });
      fail = true;
      clock.advance('20s');
      expect(await manager.default.remember('fs', 10, loader, { staleTtl: 30 })).toBe('good');
      await tick();
      expect(await manager.default.remember('fs', 10, loader, { staleTtl: 30 })).toBe('good');
      clock.advance('25s');
      await expect(manager.default.remember('fs', 10, loader, { staleTtl: 30 })).rejects.toThrow('backend down');
    });
  });

  describe('write-race protection', () => {
    it('a delete during a slow loader leaves the key empty, not outdated', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const pending = manager.default.remember('race', 60, async () => {
        await gate;
        return 'outdated';
      });
      await tick();
      await manager.default.delete('race');
      release();
      expect(await pending).toBe('outdated');
      expect(await manager.default.get('race')).toBeUndefined();
    });

    it('a tag flush during a slow loader leaves the key empty', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tagged = manager.default.tags('products');
      const pending = tagged.remember('p:1', 60, async () => {
        await gate;
        return 'old price';
      });
      await tick();
      await tagged.flush();
      release();
      await pending;
      expect(await manager.default.get('p:1')).toBeUndefined();
    });

    it('a clear during a slow loader leaves the key empty', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const pending = manager.default.remember('c', 60, () => gate.then(() => 'x'));
      await tick();
      await manager.default.clear();
      release();
      await pending;
      expect(await manager.default.has('c')).toBe(false);
    });
  });

  describe('dependency tags', () => {
    it('an outer remember is invalidated when an inner tag is flushed', async () => {
      const c = manager.default;
      const page = await c.remember('page:home', 60, async () => {
        const user = await c.tags('user:1').remember('user:1', 60, () => ({ name: 'Ada' }));
        const posts = await c.tags(['posts']).remember('posts', 60, () => ['p1']);
        return { user, posts };
      });
      expect(page).toEqual({ user: { name: 'Ada' }, posts: ['p1'] });
      expect(await c.get('page:home')).toEqual(page);
      await c.tags('posts').flush();
      expect(await c.get('page:home')).toBeUndefined();
      expect(await c.get('user:1')).toEqual({ name: 'Ada' });
    });

    it('tags pass up through several levels, also from cache hits', async () => {
      const c = manager.default;
      await c.tags('leaf').remember('leaf', 60, () => 'l');
      await c.remember('top', 60, () => c.remember('mid', 60, () => c.tags('leaf').remember('leaf', 60, () => 'l2')));
      expect(await c.get('top')).toBe('l');
      await c.tags('leaf').flush();
      expect(await c.get('mid')).toBeUndefined();
      expect(await c.get('top')).toBeUndefined();
    });
  });
});
