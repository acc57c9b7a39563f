import { expect } from '@jest/globals';
import { createCacheManager, type Cache, type CacheManager } from '../../src';
import { eventually } from './tiered-coherence';

/** Key and tag names that must never be readable on the bus of a two-tier store over a protected L2. */
export const USER = 'user:alice@example.com:profile';
export const ORDER = 'order-88231-of-bob';
export const COUNTER = 'visits-of-carol-1987';
export const TAG = 'patient-7731';
/** What a message must not contain: a part of each name above. */
export const NAMES = ['alice@example.com', '88231', 'carol-1987', TAG];

const until = (check: () => Promise<boolean>, what: string) => eventually(check, what, 60_000);

/** One instance of an app with a two-tier store `near` over memory (`l1`) and store `l2`. */
export interface TieredApp {
  cache: Cache;
  manager: CacheManager;
  /** What the app logged (warnings and errors). */
  warnings: string[];
  /** Entries in this instance's L1. */
  l1Entries(): number;
}

/** Starts a {@link TieredApp} with `l2` as its L2's config (pushed to `managers`, for closing); resolves once the bus is up. */
export async function tieredApp(
  prefix: string,
  l2: Record<string, unknown>,
  managers: CacheManager[],
): Promise<TieredApp> {
  const warnings: string[] = [];
  const manager = createCacheManager({
    prefix,
    logger: { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) },
    default: 'near',
    stores: {
      l1: { driver: 'memory' },
      l2: l2 as { driver: 'redis' },
      near: { driver: 'tiered', tiers: ['l1', 'l2'] },
    },
  });
  managers.push(manager);
  await manager.ready();
  const cache = manager.default;
  await until(async () => (await cache.health()).near.status === 'up', 'the bus is subscribed');
  return { cache, manager, warnings, l1Entries: () => manager.store('l1').driver.stats?.().entries ?? -1 };
}

/**
 * Writes of every kind on `a` (set, setMany, delete, a tagged set and its flush, increment,
 * deleteMany) and a write and a clear on `b`, each checked to reach the other instance's L1.
 */
export async function exercise(a: Cache, b: Cache): Promise<void> {
  await a.set(USER, 1);
  expect(await b.get(USER)).toBe(1); // now in b's L1
  await a.set(USER, 2);
  await until(async () => (await b.get(USER)) === 2, "b's L1 dropped the user after a's set");
  await a.setMany({ [USER]: 3, [ORDER]: 'o' });
  await until(async () => (await b.get(USER)) === 3, "a's setMany reached b");
  await a.delete(USER);
  await until(async () => (await b.get(USER)) === undefined, "a's delete reached b");
  await a.tags([TAG]).set(ORDER, 'tagged');
  expect(await b.tags([TAG]).get(ORDER)).toBe('tagged');
  await a.tags([TAG]).flush();
  await until(async () => (await b.tags([TAG]).get(ORDER)) === undefined, "a's tag flush reached b");
  await a.set(COUNTER, 5);
  expect(await b.get(COUNTER)).toBe(5);
  await a.increment(COUNTER, 2);
  await until(async () => (await b.get(COUNTER)) === 7, "a's increment reached b");
  await a.deleteMany([COUNTER, ORDER]);
  await until(async () => (await b.get(COUNTER)) === undefined, "a's deleteMany reached b");
  await b.set(USER, 'from-b');
  expect(await a.get(USER)).toBe('from-b');
  await b.clear();
  await until(async () => (await a.get(USER)) === undefined, "b's clear reached a");
}
