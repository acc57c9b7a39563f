/**
 * The published lock case can fail: run on its own against a store whose lock does not exclude
 * (lock hooks removed, or a lock that always says yes), it fails; on a store with a real lock it
 * passes. Before the fix it called the same Cache twice, so single-flight alone made it pass.
 */
import { MemoryStore, type CacheStore, type StoreContext } from '../../../src';
import { locksOffStore, requiredOnlyStore } from '../../support/required-only-store';
import { describeStoreConformance } from '../../../src/testing';

type Fn = () => unknown;

/** Runs one case of the suite by name, with its hooks, outside Jest's own registry. */
async function runCase(factory: (ctx: StoreContext) => CacheStore, title: RegExp): Promise<unknown> {
  const cases: { name: string; fn: Fn }[] = [];
  const before: Fn[] = [];
  const after: Fn[] = [];
  describeStoreConformance('probe', factory, {
    describe: (_name, fn) => fn(),
    it: (name, fn) => void cases.push({ name, fn }),
    beforeEach: (fn) => void before.push(fn),
    afterEach: (fn) => void after.push(fn),
  });
  const found = cases.filter((c) => title.test(c.name));
  expect(found).toHaveLength(1);
  for (const fn of before) await fn();
  try {
    await found[0].fn();
    return undefined;
  } catch (err) {
    return err;
  } finally {
    for (const fn of after) await fn();
  }
}

const LOCK_CASE = /^remember with lock/;

describe('conformance case "remember with lock"', () => {
  it('passes on a store whose lock excludes', async () => {
    expect(await runCase((ctx) => new MemoryStore({}, ctx.clock, ctx.name), LOCK_CASE)).toBeUndefined();
  });

  it('fails on a store whose lock hooks are removed (non-atomic fallback)', async () => {
    const err = await runCase(requiredOnlyStore, LOCK_CASE);
    expect((err as Error).name).toBe('AssertionError');
    expect(String((err as Error).message)).toMatch(/the loader ran 2 times/);
  });

  it('fails on a store whose lock never excludes', async () => {
    const err = await runCase(locksOffStore, LOCK_CASE);
    expect((err as Error).name).toBe('AssertionError');
    expect(String((err as Error).message)).toMatch(/the loader ran 2 times/);
  });
});
