import { CacheUnsupportedError, createCacheManager } from '../../src';
import { ManualClock } from '../../src/testing';
import { requiredOnly } from '../support/required-only-store';

// ttl, touch and inspect of one entry (core/entry-expiry.ts): a stale-while-revalidate entry's
// time is its fresh part, and touching it keeps its stale window after the new fresh part.
/** A memory cache on a manual clock. */
function swrCache() {
  const clock = new ManualClock();
  const manager = createCacheManager({ clock, stores: { memory: { driver: 'memory' } } });
  return { clock, manager, cache: manager.default };
}

describe('entry expiry', () => {
  it('reads the fresh part of a stale-while-revalidate entry as its ttl, and nothing once stale', async () => {
    const { clock, manager, cache } = swrCache();
    await cache.remember('swr', 10, () => 'v', { staleTtl: 60 });
    clock.advance(4);
    expect(await cache.ttl('swr')).toBe(6);
    expect((await cache.inspect('swr'))?.ttlMs).toBe(6_000);
    clock.advance(7);
    expect(await cache.ttl('swr')).toBeUndefined();
    expect(await cache.inspect('swr')).toBeUndefined();
    await manager.close();
  });

  it('touch of a stale-while-revalidate entry resets its fresh part and keeps its stale window', async () => {
    const { clock, manager, cache } = swrCache();
    await cache.remember('swr', 10, () => 'v1', { staleTtl: 60 });
    clock.advance(5);
    expect(await cache.touch('swr', 20)).toBe(true);
    expect(await cache.ttl('swr')).toBe(20);
    // Past the new fresh part, within the stale window: remember serves the stale value.
    clock.advance(25);
    expect(await cache.has('swr')).toBe(false);
    expect(await cache.remember('swr', 10, () => 'v2', { staleTtl: 60 })).toBe('v1');
    expect(await cache.touch('missing', 20)).toBe(false);
    await manager.close();
  });

  it('says which store cannot tell a ttl', async () => {
    const m = createCacheManager({ stores: { plain: { driver: requiredOnly() } } });
    await m.default.set('k', 1, 60);
    await expect(m.default.ttl('k')).rejects.toThrow(CacheUnsupportedError);
    await expect(m.default.ttl('k')).rejects.toThrow(/"plain"/);
    // What it can tell it does: a missing key is undefined, an entry with a stale window knows its expiry.
    expect(await m.default.ttl('missing')).toBeUndefined();
    await m.default.remember('swr', 30, () => 'v', { staleTtl: 60 });
    const left = await m.default.ttl('swr');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(30);
    expect(await m.default.inspect('k')).toEqual({ value: 1, tags: [], ttlMs: undefined });
    await m.close();
  });
});
