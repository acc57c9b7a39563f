/**
 * The published lock section can fail: run against a store without atomic add (only the four
 * required methods, so the core's lock is a get-then-set), its exclusivity cases fail with "this
 * store cannot lock"; against a store whose lock never excludes, the owner check fails too; on a
 * store with a real lock every case passes; `locks: false` leaves the section out.
 */
import { MemoryStore, type CacheStore, type StoreContext } from '../../../src';
import { locksOffStore, requiredOnlyStore } from '../../support/required-only-store';
import { describeStoreConformance, type ConformanceOptions } from '../../../src/testing';

type Fn = () => unknown;

/** Runs every lock case of the suite, with its hooks, outside Jest's own registry: name → error or undefined. */
async function runLockCases(
  factory: (ctx: StoreContext) => CacheStore,
  options: ConformanceOptions = {},
): Promise<Record<string, unknown>> {
  const cases: { name: string; fn: Fn }[] = [];
  const before: Fn[] = [];
  const after: Fn[] = [];
  describeStoreConformance('probe', factory, {
    ...options,
    describe: (_name, fn) => fn(),
    it: (name, fn) => void cases.push({ name, fn }),
    beforeEach: (fn) => void before.push(fn),
    afterEach: (fn) => void after.push(fn),
  });
  const outcome: Record<string, unknown> = {};
  for (const c of cases.filter((c) => c.name.startsWith('locks: '))) {
    for (const fn of before) await fn();
    try {
      await c.fn();
      outcome[c.name] = undefined;
    } catch (err) {
      outcome[c.name] = err;
    } finally {
      for (const fn of after) await fn();
    }
  }
  return outcome;
}

const failures = (outcome: Record<string, unknown>) =>
  Object.entries(outcome)
    .filter(([, err]) => err !== undefined)
    .map(([name, err]) => [name, (err as Error).name, (err as Error).message]);

describe('conformance section "locks"', () => {
  it('passes on a store with a real lock (memory)', async () => {
    const outcome = await runLockCases((ctx) => new MemoryStore({}, ctx.clock, ctx.name));
    expect(Object.keys(outcome)).toHaveLength(5);
    expect(failures(outcome)).toEqual([]);
  });

  it('fails on a store without atomic add, saying the store cannot lock', async () => {
    const failed = failures(await runLockCases(requiredOnlyStore));
    expect(failed.map(([name]) => name)).toEqual(['locks: one holder at a time across two caches over the store']);
    expect(failed[0][1]).toBe('AssertionError');
    expect(failed[0][2]).toMatch(/of 20 concurrent attempts took one lock: this store cannot lock/);
  });

  it('fails on a store whose lock never excludes: exclusivity, owner check, expiry, get(fn)', async () => {
    const failed = failures(await runLockCases(locksOffStore));
    expect(failed.map(([name]) => name)).toEqual([
      'locks: one holder at a time across two caches over the store',
      'locks: release checks the owner; restoreLock releases from another cache',
      'locks: a lease frees itself after its TTL (a crashed holder)',
      'locks: get(fn) runs fn as the holder and releases after',
    ]);
    for (const [, name] of failed) expect(name).toBe('AssertionError');
    expect(failed[0][2]).toMatch(/this store cannot lock/);
  });

  it('is left out with locks: false', async () => {
    expect(await runLockCases(requiredOnlyStore, { locks: false })).toEqual({});
  });
});
