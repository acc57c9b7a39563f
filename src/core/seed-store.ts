import { CacheConfigError } from './cache.errors';
import type { CacheStore } from './store.types';

/**
 * A custom store written in the seed APIs' vocabulary (Laravel's `put`/`forget`/`flush`)
 * instead of `set`/`delete`/`clear`. It is adapted once, when it is registered, into a
 * {@link CacheStore}; the units are the store contract's (TTLs in **milliseconds**, `undefined`:
 * never expires), and a miss is `undefined` (`null` is a cached value). Methods may be
 * synchronous or return promises. Any optional {@link CacheStore} method it also has (`has`,
 * `increment`, `ttl`, `close`...) is used as is.
 *
 * @example
 * const store: SeedVocabularyStore = {
 *   get: (key) => map.get(key),
 *   put: (key, value) => void map.set(key, value),
 *   forget: (key) => map.delete(key),
 *   flush: () => map.clear(),
 * };
 * CacheModule.forRoot({ stores: { legacy: { driver: store } } });
 */
export interface SeedVocabularyStore {
  get(key: string): unknown;
  put(key: string, value: unknown, ttlMs?: number): unknown;
  /** Resolves whether something was removed; when it returns anything else, the key is read first to tell. */
  forget(key: string): unknown;
  /** Removes every key of this store's namespace, and nothing else. */
  flush(): unknown;
}

const REQUIRED = ['get', 'set', 'delete', 'clear'] as const;
const SEED = ['get', 'put', 'forget', 'flush'] as const;
/** Optional contract members a seed store may have besides its own four. */
const OPTIONAL = [
  'init',
  'has',
  'getMany',
  'setMany',
  'deleteMany',
  'increment',
  'add',
  'ttl',
  'clearNamespace',
  'touch',
  'ping',
  'close',
  'acquireLock',
  'renewLock',
  'releaseLock',
  'waitForChange',
  'throttle',
  'stats',
  'healthDetail',
] as const;

type Members = Record<string, unknown>;

/**
 * The store to use for `candidate`: itself when it implements the contract, an adapter when it
 * speaks the seed vocabulary (see {@link SeedVocabularyStore}).
 *
 * @param where names the place in errors (`stores.<name>.driver`, `registerStore("<name>", store)`)
 * @throws CacheConfigError naming the store and the missing methods of both vocabularies
 */
export function toCacheStore(candidate: unknown, name: string, where = `stores.${name}.driver`): CacheStore {
  const m = (typeof candidate === 'object' || typeof candidate === 'function') && candidate !== null;
  const lacking = (names: readonly string[]) =>
    names.filter((n) => !m || typeof (candidate as Members)[n] !== 'function');
  const missing = lacking(REQUIRED);
  if (missing.length === 0) return candidate as CacheStore;
  const missingSeed = lacking(SEED);
  if (missingSeed.length === 0) return adaptSeedStore(candidate as SeedVocabularyStore & Members);
  throw new CacheConfigError(
    `${where} is not a cache store: it lacks ${missing.join(', ')}() ` +
      `(or, in the seed vocabulary, ${missingSeed.join(', ')}())`,
    name,
    'driver',
  );
}

/** One adapter per seed store, so that a store registered twice is seen as one shared instance. */
const adapters = new WeakMap<object, CacheStore>();

function adaptSeedStore(seed: SeedVocabularyStore & Members): CacheStore {
  const known = adapters.get(seed);
  if (known) return known;
  const store: CacheStore & Members = {
    get: async (key) => seed.get(key),
    set: async (key, value, ttlMs) => {
      await seed.put(key, value, ttlMs);
    },
    delete: async (key) => {
      // Laravel's forget answers whether it removed something; one that answers nothing is
      // asked first, so `delete()` still reports the truth.
      const existed = (await seed.get(key)) !== undefined;
      const removed = await seed.forget(key);
      return typeof removed === 'boolean' ? removed : existed;
    },
    clear: async () => {
      await seed.flush();
    },
  };
  for (const name of OPTIONAL) {
    const fn = seed[name];
    if (typeof fn === 'function') store[name] = fn.bind(seed);
  }
  adapters.set(seed, store);
  return store;
}
