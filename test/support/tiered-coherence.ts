import { expect } from '@jest/globals';
import { createCacheManager, type Cache, type CacheManager } from '../../src';
import type { RedisStoreOptions } from '../../src/stores/redis/redis-store.options';

const quiet = { warn: () => undefined, error: () => undefined };

/**
 * Polls `check` until it holds (a rejection counts as "not yet"); fails after `ms`, with the last
 * rejection if there was one. Bounded polling: never a sleep standing in for correctness.
 */
export async function eventually(check: () => Promise<boolean>, what = 'condition', ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  const holds = () =>
    check().catch((err: unknown) => {
      last = err;
      return false;
    });
  while (!(await holds())) {
    if (Date.now() > deadline) {
      throw new Error(`not within ${ms} ms: ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Two instances of one app (same `prefix`), each with its own L1, and a two-tier store `near`
 * (the default) over one Redis, given as the L2's connection options.
 */
export function twoTieredInstances(l2: Partial<RedisStoreOptions>, prefix: string): CacheManager[] {
  const build = () =>
    createCacheManager({
      prefix,
      logger: quiet,
      default: 'near',
      stores: {
        l1: { driver: 'memory' },
        l2: { driver: 'redis', ...l2 },
        near: { driver: 'tiered', tiers: ['l1', 'l2'] },
      },
    });
  return [build(), build()];
}

/**
 * Two apps with a two-tier store over the same Redis (given as the L2's connection options):
 * what one writes, deletes or clears reaches the other's L1 through the bus.
 */
export async function checkTieredCoherence(l2: Partial<RedisStoreOptions>, prefix: string): Promise<void> {
  const managers = twoTieredInstances(l2, prefix);
  try {
    await Promise.all(managers.map((m) => m.ready()));
    const [a, b]: Cache[] = managers.map((m) => m.default);
    for (const cache of [a, b]) expect((await cache.health()).near.status).toBe('up');

    await a.set('k', 1);
    expect(await b.get('k')).toBe(1); // now in b's L1 as well
    await a.set('k', 2);
    await eventually(async () => (await b.get('k')) === 2, "b's L1 dropped k after a's set");
    await a.delete('k');
    await eventually(async () => (await b.get('k')) === undefined, "b's L1 dropped k after a's delete");

    await b.set('j', 'x');
    expect(await a.get('j')).toBe('x');
    await b.clear();
    await eventually(async () => (await a.get('j')) === undefined, "a's L1 emptied after b's clear");
  } finally {
    await Promise.all(managers.map((m) => m.close()));
  }
}
