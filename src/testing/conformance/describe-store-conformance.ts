import { randomBytes } from 'node:crypto';
import type { Cache } from '../../core/cache';
import type { CacheManager } from '../../core/cache-manager';
import { systemClock } from '../../core/clock';
import type { CacheStore, StoreContext } from '../../core/store.types';
import { createCacheManager } from '../../config/create-cache-manager';
import { ManualClock } from '../manual-clock';
import { atomicCases } from './atomic.cases';
import type { ConformanceContext, ConformanceFramework, ConformanceOptions } from './conformance-context';
import { dataCases } from './data.cases';
import { expiryCases } from './expiry.cases';
import { lockCases } from './locks.cases';
import { rememberCases } from './remember.cases';
import { namespaceCases } from './tags-and-namespaces.cases';

const CASES = [dataCases, atomicCases, expiryCases, rememberCases, lockCases, namespaceCases];

/**
 * Registers the store contract suite: the same tests this project runs on its memory, file,
 * Redis, two-tier, Postgres and Keyv stores. Authors of custom stores run it on theirs.
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
  const make = async (
    clock: ManualClock | undefined,
    prefix = `conf-${randomBytes(6).toString('hex')}`,
    driver: (ctx: StoreContext) => CacheStore = factory,
    owned = true,
  ): Promise<CacheManager> => {
    const manager = createCacheManager({
      prefix,
      clock: clock ?? systemClock,
      logger: { warn: () => undefined, error: () => undefined },
      stores: { s: { driver } },
    });
    await manager.ready();
    if (owned) managers.push(manager);
    return manager;
  };
  const ctx = {} as ConformanceContext;

  fw.describe(`${name} (store conformance)`, () => {
    fw.beforeEach(async () => {
      const clock = realTime ? undefined : new ManualClock();
      const prefix = `conf-${randomBytes(6).toString('hex')}`;
      let built: CacheStore | undefined;
      ctx.manager = await make(clock, prefix, (storeCtx) => (built = factory(storeCtx)));
      ctx.cache = view(ctx.manager.store('s'));
      ctx.advance = async (ms) => {
        if (clock) clock.advance(`${ms}ms`);
        else await new Promise((r) => setTimeout(r, ms));
      };
      ctx.neighbour = async () => view((await make(clock)).store('s'));
      ctx.twin = async () => view((await make(clock, prefix, () => borrowed(built!))).store('s'));
      // The instance itself (a proxy would hide that it is shared); the first manager closes it.
      ctx.sharer = async () => view((await make(clock, undefined, () => built!, false)).store('s'));
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

    for (const register of CASES) register(fw, ctx, options);
  });
}

/** The same store seen through a second manager, which must neither start nor close it. */
function borrowed(store: CacheStore): CacheStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'init' || prop === 'close') return undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
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
