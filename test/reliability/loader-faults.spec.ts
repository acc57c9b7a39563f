/**
 * Loaders that throw or hang. The cache never times out a user's loader (documented): a hung
 * loader holds its key's single flight until it settles, but no other key and no other read.
 */
import { jest } from '@jest/globals';
import { createCacheManager, type Cache, type CacheManager } from '../../src';

jest.setTimeout(30_000);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
let manager: CacheManager;
let cache: Cache;
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  manager = createCacheManager({ logger: { warn: () => undefined, error: () => undefined } });
  cache = manager.default;
});
afterEach(async () => {
  await manager.close();
  // Let any stray rejection surface before checking.
  await new Promise((r) => setTimeout(r, 20));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('loader faults', () => {
  it('a throwing loader reaches every waiter, stores nothing, and the next call retries', async () => {
    let calls = 0;
    const boom = async (): Promise<string> => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('database down');
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => cache.remember('k', 60, boom)));
    expect(calls).toBe(1);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'database down')).toBe(true);
    expect(await cache.has('k')).toBe(false);
    expect(await cache.remember('k', 60, () => 'ok')).toBe('ok');
  });

  it('a loader throwing synchronously or a non-Error is handled the same way', async () => {
    await expect(
      cache.remember('a', 60, () => {
        throw new TypeError('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(cache.remember('b', 60, () => Promise.reject('a string'))).rejects.toBe('a string');
    expect(await cache.getMany(['a', 'b'])).toEqual({ a: undefined, b: undefined });
  });

  it('a failing background refresh (staleTtl) keeps serving the stale value and leaks no rejection', async () => {
    const clock = { t: 1_000_000, now: () => clock.t };
    const m = createCacheManager({ clock, logger: { warn: () => undefined, error: () => undefined } });
    try {
      const c = m.default;
      await c.remember('s', 1, () => 'v1', { staleTtl: 60 });
      clock.t += 2000;
      for (let i = 0; i < 5; i++) {
        expect(await c.remember('s', 1, () => Promise.reject(new Error('refresh failed')), { staleTtl: 60 })).toBe(
          'v1',
        );
      }
    } finally {
      await m.close();
    }
  });

  it('a hung loader blocks only its own key: other keys and plain reads answer; it is not timed out', async () => {
    let release!: (v: string) => void;
    const hung = new Promise<string>((r) => (release = r));
    const first = cache.remember('slow', 60, () => hung);
    const second = cache.remember('slow', 60, () => 'never runs');
    await cache.set('other', 1);
    expect(await cache.remember('fast', 60, () => 'quick')).toBe('quick');
    expect(await cache.get('other')).toBe(1);
    expect(await cache.get('slow')).toBeUndefined();
    // Still pending after other work has completed: the cache does not time out user loaders.
    const state = await Promise.race([
      first.then(() => 'settled'),
      new Promise((r) => setTimeout(() => r('pending'), 50)),
    ]);
    expect(state).toBe('pending');
    release('finally');
    expect(await first).toBe('finally');
    expect(await second).toBe('finally');
    expect(await cache.get('slow')).toBe('finally');
  });

  it('a caller can bound a hung loader itself; the late result is still cached when it lands', async () => {
    let release!: (v: string) => void;
    const hung = new Promise<string>((r) => (release = r));
    const withDeadline = <T>(p: Promise<T>, ms: number): Promise<T> =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('deadline')), ms))]);
    await expect(
      withDeadline(
        cache.remember('k', 60, () => hung),
        30,
      ),
    ).rejects.toThrow('deadline');
    release('late');
    await new Promise((r) => setTimeout(r, 10));
    expect(await cache.get('k')).toBe('late');
  });
});
