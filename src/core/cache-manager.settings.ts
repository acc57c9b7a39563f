// What a CacheManager is built from (resolved settings, one definition per store) and the check
// that `new CacheManager(settings)` was given them rather than module options.
import type { Clock } from './clock';
import { CacheConfigError } from './cache.errors';
import type { CacheLogger } from './logger';
import type { CacheStore, StoreContext } from './store.types';

/** Turns one store's configuration into a store. Registered per driver name. */
export type StoreFactory = (context: StoreContext) => CacheStore;

/** One store, ready to be built by the manager. */
export interface StoreDefinition {
  factory: StoreFactory;
  /** Joined module and store prefix. */
  namespace: string;
  defaultTtlMs?: number;
  lock?: boolean;
  /** Largest serialized value the cache writes (validated `maxValueBytes`); none when absent. */
  maxValueBytes?: number;
  /**
   * The store holds keys without the namespace while its own cache is its only user (a built-in
   * memory store: one instance in one process, so no other app shares its keys). Not when
   * another store resolves it (a two-tier store's L1): its keys then carry the namespace as usual.
   */
  ownKeys?: boolean;
}

/** What the manager is built from; `createCacheManager(options)` makes it from module options. */
export interface CacheManagerSettings {
  defaultStore: string;
  stores: Record<string, StoreDefinition>;
  clock: Clock;
  logger: CacheLogger;
  /** The module prefix, joined before the prefix of stores added by `registerStore`. */
  prefix?: string;
  /** The module's default TTL in ms, for stores added by `registerStore` without their own. */
  defaultTtlMs?: number;
}

/**
 * `new CacheManager()` is a plausible first line for a user of the seed API: say what to do
 * instead of failing on `undefined` further in.
 */
export function checkSettings(settings: CacheManagerSettings | undefined): void {
  const s = settings as Partial<CacheManagerSettings> | undefined;
  const defs = s?.stores;
  const resolved =
    typeof s === 'object' &&
    s !== null &&
    typeof s.defaultStore === 'string' &&
    typeof defs === 'object' &&
    defs !== null &&
    Object.values(defs).every((d) => typeof (d as Partial<StoreDefinition> | undefined)?.factory === 'function') &&
    s.clock !== undefined &&
    s.logger !== undefined;
  if (!resolved) {
    throw new CacheConfigError(
      'new CacheManager(settings) takes resolved settings; build a manager from options with ' +
        'createCacheManager(options) from \'nestjs-cachekit\' (no options: one memory store named "memory")',
    );
  }
}
