import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Cache } from '../core/cache';
import { CacheArgumentError, CacheSerializationError } from '../core/cache.errors';
import type { CacheManager } from '../core/cache-manager';
import { systemClock } from '../core/clock';
import type { CacheStore, StoreContext } from '../core/store.types';
import { createCacheManager } from '../config/create-cache-manager';
import { ManualClock } from './manual-clock';

type Fn = () => unknown;
type Hook = (fn: Fn) => void;

/** The test-framework functions the suite needs. Jest, Vitest and node:test all fit. */
export interface ConformanceFramework {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Fn, timeout?: number): void;
  beforeEach: Hook;
  afterEach: Hook;
}

export interface ConformanceOptions extends Partial<ConformanceFramework> {
  /**
   * The store's expiry follows the server's clock (Redis), not `ctx.clock`: TTL tests then use
   * short TTLs and real waits instead of a manual clock.
   * @default false
   */
  realTime?: boolean;
  /** Whether `set` isolates values from later mutation of the given object. @default true */
  isolates?: boolean;
  /**
   * Whether two stores made by the factory share one backend (Redis, a directory), so that
   * prefix isolation of `clear()` can be checked across them.
   * @default false
   */
  sharedBackend?: boolean;
  /** Called after each test to release what the factory made (servers are the caller's). */
  cleanup?: () => unknown;
}

/** What each test gets. */
interface Ctx {
  cache: Cache;
  manager: CacheManager;
  /** Moves time forward: the manual clock, or a real wait for real-time stores. */
  advance(ms: number): Promise<void>;
  /** A second cache on a store from the same factory, with another prefix. */
  neighbour(): Promise<Cache>;
}

/**
 * Registers the store contract suite: the same tests this project runs on its memory, file and
 * Redis stores. Authors of custom stores run it on theirs.
 *
 * @param name    suite title
 * @param factory builds the store under test; use `ctx.namespace` (keys arrive prefixed) and `ctx.clock`
 * @example
 * describeStoreConformance('my store', (ctx) => new MyStore(ctx), { describe, it, beforeEach, afterEach });
 */
export function describeStoreConformance(
  name: string,
  factory: (ctx: StoreContext) => CacheStore,
  options: ConformanceOptions = {},
): void {
  describeConformanceThrough(name, factory, options, (cache) => cache);
}

/**
 * The same suite with each test's cache seen through `view`: this project runs it through
 * `cache.sync`, whose semantics must be those of the Promise API. Not exported by the package.
 */
export function describeConformanceThrough(
  name: string,
  factory: (ctx: StoreContext) => CacheStore,
  options: ConformanceOptions,
  view: (cache: Cache) => Cache,
): void {
  const fw = framework(options);
  const realTime = options.realTime ?? false;
  const managers: CacheManager[] = [];
  const make = async (clock: ManualClock | undefined): Promise<CacheManager> => {
    const manager = createCacheManager({
      prefix: `conf-${randomBytes(6).toString('hex')}`,
      clock: clock ?? systemClock,
      logger: { warn: () => undefined, error: () => undefined },
      stores: { s: { driver: (ctx) => factory(ctx) } },
    });
    await manager.ready();
    managers.push(manager);
    return manager;
  };
  const ctx = {} as Ctx;

  fw.describe(`${name} (store conformance)`, () => {
    fw.beforeEach(async () => {
      const clock = realTime ? undefined : new ManualClock();
      ctx.manager = await make(clock);
      ctx.cache = view(ctx.manager.store('s'));
      ctx.advance = async (ms) => {
        if (clock) clock.advance(`${ms}ms`);
        else await new Promise((r) => setTimeout(r, ms));
      };
      ctx.neighbour = async () => view((await make(clock)).store('s'));
    });
    fw.afterEach(async () => {
      for (const m of managers.splice(0)) {
        await m
          .store('s')
          .clear()
          .catch(() => undefined);
        await m.close();
      }
      await options.cleanup?.();
    });

    fw.it('misses with undefined and returns the fallback', async () => {
      assert.equal(await ctx.cache.get('nope'), undefined);
      assert.equal(await ctx.cache.get('nope', 'fb'), 'fb');
      assert.equal(await ctx.cache.get('nope', () => 'lazy'), 'lazy');
      assert.equal(await ctx.cache.has('nope'), false);
    });

    fw.it('round-trips every supported type', async () => {
      const value = {
        s: 'héllo ✓',
        n: 42.5,
        neg: -7,
        big: 12345678901234567890n,
        b: true,
        nil: null,
        d: new Date('2024-01-02T03:04:05.678Z'),
        m: new Map<unknown, unknown>([
          ['a', 1],
          [2, { x: [1, 2] }],
        ]),
        set: new Set([1, 'two', null]),
        buf: Buffer.from([0, 1, 2, 255]),
        u8: new Uint8Array([9, 8, 7]),
        arr: [1, 'a', [null, { deep: true }]],
        nested: { a: { b: { c: 'd' } } },
        special: [NaN, Infinity, -Infinity],
      };
      assert.equal(await ctx.cache.set('types', value), true);
      const back = await ctx.cache.get<typeof value>('types');
      assert.deepEqual(back, value);
      assert.ok(back!.d instanceof Date && back!.m instanceof Map && back!.set instanceof Set);
      assert.ok(Buffer.isBuffer(back!.buf));
      for (const v of ['plain', 0, -1.5, 12, true, false, null, [], {}, 10n]) {
        await ctx.cache.set('scalar', v);
        assert.deepEqual(await ctx.cache.get('scalar'), v);
      }
    });

    fw.it('caches null as a value', async () => {
      await ctx.cache.set('null', null);
      assert.equal(await ctx.cache.get('null', 'fallback'), null);
      assert.equal(await ctx.cache.has('null'), true);
    });

    fw.it('refuses undefined, functions, symbols and cycles, writing nothing', async () => {
      await ctx.cache.set('k', 'before');
      await assert.rejects(ctx.cache.set('k', undefined), CacheArgumentError);
      await assert.rejects(
        ctx.cache.set('k', () => 1),
        CacheSerializationError,
      );
      await assert.rejects(ctx.cache.set('k', { s: Symbol('x') }), CacheSerializationError);
      const cyc: Record<string, unknown> = {};
      cyc.self = cyc;
      await assert.rejects(ctx.cache.set('k', cyc), (err: unknown) => {
        assert.ok(err instanceof CacheSerializationError);
        assert.match(err.message, /"k"/);
        return true;
      });
      assert.equal(await ctx.cache.get('k'), 'before');
    });

    fw.it('rejects empty and non-string keys', async () => {
      await assert.rejects(ctx.cache.get(''), CacheArgumentError);
      await assert.rejects(ctx.cache.set(undefined as unknown as string, 1), CacheArgumentError);
    });

    fw.it('keeps any Unicode, path-like and very long keys apart', async () => {
      const keys = [
        '../../etc/passwd',
        '/abs/path',
        'a b',
        'ключ',
        '😀',
        'nul\u0000byte',
        '\u0000lead',
        'CON',
        'x'.repeat(5000),
        'x'.repeat(5001),
      ];
      for (const [i, k] of keys.entries()) await ctx.cache.set(k, i);
      for (const [i, k] of keys.entries()) assert.equal(await ctx.cache.get(k), i, `key #${i}`);
    });

    if (options.isolates ?? true) {
      fw.it('isolates stored values from mutation', async () => {
        const obj = { list: [1, 2], nested: { v: 1 } };
        await ctx.cache.set('iso', obj);
        obj.list.push(3);
        obj.nested.v = 2;
        const got = await ctx.cache.get<typeof obj>('iso');
        assert.deepEqual(got, { list: [1, 2], nested: { v: 1 } });
        got!.list.push(99);
        assert.deepEqual(await ctx.cache.get('iso'), { list: [1, 2], nested: { v: 1 } });
      });
    }

    fw.it('delete and pull report what they removed', async () => {
      await ctx.cache.set('d', 1);
      assert.equal(await ctx.cache.delete('d'), true);
      assert.equal(await ctx.cache.delete('d'), false);
      await ctx.cache.set('p', { v: 1 });
      assert.deepEqual(await ctx.cache.pull('p'), { v: 1 });
      assert.equal(await ctx.cache.has('p'), false);
      assert.equal(await ctx.cache.pull('p'), undefined);
    });

    fw.it('add stores only when absent, atomically under concurrency', async () => {
      assert.equal(await ctx.cache.add('a', 1), true);
      assert.equal(await ctx.cache.add('a', 2), false);
      assert.equal(await ctx.cache.get('a'), 1);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.cache.add('race', i)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    fw.it('getMany, setMany and deleteMany', async () => {
      await ctx.cache.setMany({ m1: 1, m2: { two: 2 }, m3: null });
      assert.deepEqual(await ctx.cache.getMany(['m1', 'm2', 'm3', 'm4']), {
        m1: 1,
        m2: { two: 2 },
        m3: null,
        m4: undefined,
      });
      await ctx.cache.setMany(new Map<string, unknown>([['m5', 'five']]), 60);
      assert.equal(await ctx.cache.get('m5'), 'five');
      assert.equal(await ctx.cache.deleteMany(['m1', 'm2', 'missing']), 2);
      assert.deepEqual(await ctx.cache.getMany(['m1', 'm2', 'm3']), { m1: undefined, m2: undefined, m3: null });
      await assert.rejects(ctx.cache.setMany({ ok: 1, bad: () => 1 }), CacheSerializationError);
      assert.equal(await ctx.cache.has('ok'), false);
    });

    fw.it('increments and decrements, starting missing keys at 0', async () => {
      assert.equal(await ctx.cache.increment('c'), 1);
      assert.equal(await ctx.cache.increment('c', 5), 6);
      assert.equal(await ctx.cache.decrement('c', 2), 4);
      assert.equal(await ctx.cache.decrement('neg'), -1);
      assert.equal(await ctx.cache.get('c'), 4);
      const all = await Promise.all(Array.from({ length: 50 }, () => ctx.cache.increment('par')));
      assert.equal(Math.max(...all), 50);
      assert.equal(await ctx.cache.get('par'), 50);
      await ctx.cache.set('str', 'abc');
      await assert.rejects(ctx.cache.increment('str'));
      assert.equal(await ctx.cache.get('str'), 'abc');
      await assert.rejects(ctx.cache.increment('c', NaN), CacheArgumentError);
    });

    fw.it('applies the TTL of increment only when the key is created', async () => {
      await ctx.cache.increment('ct', 1, 1);
      await ctx.advance(600);
      await ctx.cache.increment('ct', 1, 100);
      const left = await ctx.cache.ttl('ct');
      assert.ok(left !== undefined && left <= 0.45, `ttl kept from creation, got ${left}`);
    });

    fw.it('expires entries after their TTL', async () => {
      await ctx.cache.set('short', 'v', 0.3);
      await ctx.cache.set('long', 'v', 60);
      await ctx.cache.forever('always', 'v');
      assert.equal(await ctx.cache.get('short'), 'v');
      await ctx.advance(450);
      assert.equal(await ctx.cache.get('short'), undefined);
      assert.equal(await ctx.cache.has('short'), false);
      assert.equal(await ctx.cache.get('long'), 'v');
      assert.equal(await ctx.cache.get('always'), 'v');
    });

    fw.it('reports ttl: seconds left, Infinity, undefined', async () => {
      await ctx.cache.set('t', 1, '10s');
      const left = await ctx.cache.ttl('t');
      assert.ok(left !== undefined && left > 8 && left <= 10, `got ${left}`);
      await ctx.cache.forever('f', 1);
      assert.equal(await ctx.cache.ttl('f'), Infinity);
      assert.equal(await ctx.cache.ttl('missing'), undefined);
      await ctx.cache.set('frac', 1, 1.5);
      const frac = await ctx.cache.ttl('frac');
      assert.ok(frac !== undefined && frac > 1 && frac <= 1.5, `fractional seconds kept, got ${frac}`);
    });

    fw.it('touch resets the expiry and reports whether the key existed', async () => {
      await ctx.cache.set('tt', 'v', 0.3);
      assert.equal(await ctx.cache.touch('tt', 60), true);
      await ctx.advance(450);
      assert.equal(await ctx.cache.get('tt'), 'v');
      assert.equal(await ctx.cache.touch('missing', 60), false);
    });

    fw.it('remember runs the loader once for concurrent callers and caches the result', async () => {
      let calls = 0;
      const loader = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return { v: calls };
      };
      const results = await Promise.all(Array.from({ length: 100 }, () => ctx.cache.remember('rem', 60, loader)));
      assert.equal(calls, 1);
      assert.ok(results.every((r) => r.v === 1));
      assert.deepEqual(await ctx.cache.remember('rem', 60, loader), { v: 1 });
      assert.equal(calls, 1);
    });

    fw.it('remember stores nothing when the loader throws, and every waiter sees the error', async () => {
      const boom = async () => {
        await new Promise((r) => setTimeout(r, 10));
        throw new Error('loader failed');
      };
      const settled = await Promise.allSettled(Array.from({ length: 5 }, () => ctx.cache.remember('bad', 60, boom)));
      assert.ok(settled.every((s) => s.status === 'rejected' && /loader failed/.test(String(s.reason))));
      assert.equal(await ctx.cache.has('bad'), false);
    });

    fw.it('remember with lock runs the loader once', async () => {
      let calls = 0;
      const loader = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 30));
        return 'locked';
      };
      const other = ctx.cache;
      const results = await Promise.all([
        ctx.cache.remember('lk', 60, loader, { lock: true }),
        other.remember('lk', 60, loader, { lock: true }),
      ]);
      assert.deepEqual(results, ['locked', 'locked']);
      assert.equal(calls, 1);
    });

    fw.it('tags: a flush removes tagged entries everywhere, untagged ones survive', async () => {
      await ctx.cache.tags(['users', 'active']).set('user:1', { id: 1 });
      await ctx.cache.tags(['users']).set('user:2', { id: 2 });
      await ctx.cache.set('plain', 'p');
      assert.deepEqual(await ctx.cache.get('user:1'), { id: 1 });
      await ctx.cache.tags(['active']).flush();
      assert.equal(await ctx.cache.get('user:1'), undefined);
      assert.equal(await ctx.cache.has('user:1'), false);
      assert.equal(await ctx.cache.ttl('user:1'), undefined);
      assert.deepEqual(await ctx.cache.getMany(['user:1', 'user:2']), { 'user:1': undefined, 'user:2': { id: 2 } });
      assert.equal(await ctx.cache.get('plain'), 'p');
      await ctx.cache.tags('users').flush();
      assert.equal(await ctx.cache.get('user:2'), undefined);
      await ctx.cache.tags('users').set('user:3', 3);
      assert.equal(await ctx.cache.get('user:3'), 3, 'new writes after a flush are visible');
    });

    fw.it('clear removes this cache\u2019s keys only', async () => {
      const other = await ctx.neighbour();
      await ctx.cache.set('mine', 1);
      await other.set('theirs', 2);
      await ctx.cache.clear();
      assert.equal(await ctx.cache.get('mine'), undefined);
      assert.equal(await other.get('theirs'), 2);
    });

    if (options.sharedBackend) {
      fw.it('two caches with different prefixes never see each other\u2019s keys', async () => {
        const other = await ctx.neighbour();
        await ctx.cache.set('same', 'a');
        await other.set('same', 'b');
        assert.equal(await ctx.cache.get('same'), 'a');
        assert.equal(await other.get('same'), 'b');
      });
    }

    fw.it('health is up and stats count operations', async () => {
      const report = await ctx.cache.health();
      assert.equal(report.s.status, 'up');
      await ctx.cache.set('st', 1);
      await ctx.cache.get('st');
      await ctx.cache.get('st-miss');
      const stats = ctx.cache.stats();
      assert.ok(stats.hits >= 1 && stats.misses >= 1 && stats.writes >= 1);
    });
  });
}

function framework(options: Partial<ConformanceFramework>): ConformanceFramework {
  const g = globalThis as unknown as Partial<ConformanceFramework>;
  const pick = <K extends keyof ConformanceFramework>(k: K): ConformanceFramework[K] => {
    const fn = options[k] ?? g[k];
    if (typeof fn !== 'function') {
      throw new TypeError(
        `describeStoreConformance needs "${k}": pass it in the options (e.g. from node:test or vitest)`,
      );
    }
    return fn as ConformanceFramework[K];
  };
  return { describe: pick('describe'), it: pick('it'), beforeEach: pick('beforeEach'), afterEach: pick('afterEach') };
}
