import { keyvOwnTtlMs } from '../stores/keyv/keyv-backend';
import { CacheArgumentError, CacheConfigError } from '../core/cache.errors';
import { CacheManager, type StoreDefinition } from '../core/cache-manager';
import { checkClock, systemClock } from '../core/clock';
import { joinPrefix } from '../core/keys';
import { checkLogger, consoleLogger } from '../core/logger';
import { toCacheStore } from '../core/seed-store';
import { msLookingTtlWarning, parseOptionalTtl, type Ttl } from '../core/ttl';
import { OptionChecks, storeOptionChecks } from '../core/option-checks';
import { parseMaxValueBytes } from '../core/value-limit';
import { builtInDriverKeys, builtInDrivers } from './built-in-drivers';
import { mayShareBackend } from './shared-backends';
import {
  CACHE_MANAGER_OPTION_KEYS,
  COMMON_STORE_KEYS,
  DEFAULT_STORE_NAME,
  DEFAULT_STORES,
  type CacheManagerOptions,
  type StoreConfig,
} from './cache-options';

/** The module prefix used when none is configured. */
export const DEFAULT_PREFIX = 'cachekit';

/**
 * Builds a {@link CacheManager} from options, validating them: an unknown driver or option key
 * (with the closest known key), a default that names no store or an invalid TTL throw one
 * {@link CacheConfigError} naming the store and the field. The Nest module runs the options of
 * `forRoot` and of the `forRootAsync` factory through here alike. Call `await manager.ready()` to also wait for stores that connect at start-up.
 *
 * @example
 * const caches = createCacheManager({ stores: { memory: { driver: 'memory', maxEntries: 1000 } } });
 * await caches.default.remember('answer', '1m', () => 42);
 */
export function createCacheManager(options: CacheManagerOptions = {}): CacheManager {
  if (options === null || typeof options !== 'object') {
    throw new CacheConfigError('Cache options must be an object');
  }
  new OptionChecks(undefined).knownKeys(options, CACHE_MANAGER_OPTION_KEYS);
  const stores = options.stores ?? DEFAULT_STORES;
  if (stores === null || typeof stores !== 'object' || Array.isArray(stores)) {
    throw new CacheConfigError(
      'Cache option "stores" must be an object of named store configurations',
      undefined,
      'stores',
    );
  }
  const names = Object.keys(stores);
  if (names.length === 0) throw new CacheConfigError('Cache option "stores" names no store', undefined, 'stores');
  if (options.default !== undefined && (typeof options.default !== 'string' || options.default.length === 0)) {
    throw new CacheConfigError(
      `Cache option "default" must name a configured store (${names.join(', ')}), got ${typeof options.default === 'string' ? '""' : String(options.default)}`,
      undefined,
      'default',
    );
  }
  const defaultStore = options.default ?? (names.includes(DEFAULT_STORE_NAME) ? DEFAULT_STORE_NAME : names[0]);
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw new CacheConfigError('Cache option "prefix" must be a string', undefined, 'prefix');
  }
  const modulePrefix = options.prefix ?? DEFAULT_PREFIX;
  const logger = checkLogger(options.logger) ?? consoleLogger;
  const clock = checkClock(options.clock) ?? systemClock;
  const moduleTtl = configTtl(options.ttl, undefined, 'ttl');
  // Store names are the user's: a null-prototype record keeps "__proto__" a name, not a prototype.
  const definitions = Object.create(null) as Record<string, StoreDefinition>;
  for (const name of names) {
    const def = defineStore(name, stores[name], modulePrefix, moduleTtl);
    const max = stores[name].maxValueBytes;
    definitions[name] = max === undefined ? def : { ...def, maxValueBytes: parseMaxValueBytes(max, name) };
  }
  warnNestedNamespaces(definitions, stores, logger);
  warnMsLookingTtls(options, logger);
  return new CacheManager({
    defaultStore,
    stores: definitions,
    clock,
    logger,
    prefix: modulePrefix,
    defaultTtlMs: moduleTtl,
  });
}

function defineStore(
  name: string,
  config: StoreConfig,
  modulePrefix: string,
  moduleTtl: number | undefined,
): StoreDefinition {
  if (config === null || typeof config !== 'object') {
    throw new CacheConfigError(`stores.${name} must be an object with a "driver"`, name);
  }
  if (config.prefix !== undefined && typeof config.prefix !== 'string') {
    throw new CacheConfigError(`stores.${name}.prefix must be a string`, name, 'prefix');
  }
  if (config.lock !== undefined && typeof config.lock !== 'boolean') {
    throw new CacheConfigError(`stores.${name}.lock must be a boolean`, name, 'lock');
  }
  const driver = config.driver;
  const namespace = joinPrefix(modulePrefix, config.prefix);
  // A Keyv instance's own `ttl` is the store's default after the configured ones.
  const keyvTtl = config.driver === 'keyv' ? keyvOwnTtlMs((config as { store?: unknown }).store) : undefined;
  const base = {
    namespace,
    defaultTtlMs: configTtl(config.ttl, name, 'ttl') ?? moduleTtl ?? keyvTtl,
    lock: config.lock,
  };
  if (typeof driver === 'string') {
    // Own entries only: a driver named "toString" is unknown, not Object.prototype's function.
    const factory = Object.hasOwn(builtInDrivers, driver) ? builtInDrivers[driver] : undefined;
    const keys = Object.hasOwn(builtInDriverKeys, driver) ? builtInDriverKeys[driver] : undefined;
    if (keys) storeOptionChecks(name).knownKeys(config, [...COMMON_STORE_KEYS, ...keys]);
    if (!factory) {
      throw new CacheConfigError(
        `stores.${name}.driver: unknown driver "${driver}". Built-in drivers: ${Object.keys(builtInDrivers).join(', ')}; or pass a CacheStore object`,
        name,
        'driver',
      );
    }
    return {
      ...base,
      // A built-in memory store is one instance in one process: its cache's keys need no namespace.
      ownKeys: driver === 'memory',
      factory: (ctx) => wrapConfigErrors(name, () => factory(config, ctx)),
    };
  }
  storeOptionChecks(name).knownKeys(config, COMMON_STORE_KEYS);
  if (typeof driver === 'function') {
    return {
      ...base,
      factory: (ctx) => toCacheStore((driver as (c: typeof ctx) => unknown)(ctx), name),
    };
  }
  // A seed-vocabulary store is adapted here, once, not on every call.
  const store = toCacheStore(driver, name);
  return { ...base, factory: () => store };
}

function configTtl(ttl: Ttl | undefined, store: string | undefined, field: string): number | undefined {
  const what = store ? `stores.${store}.${field}` : field;
  try {
    return parseOptionalTtl(ttl, what);
  } catch (err) {
    throw new CacheConfigError((err as Error).message, store, field);
  }
}

function wrapConfigErrors<T>(store: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CacheArgumentError) throw new CacheConfigError(err.message, store, undefined, { cause: err });
    throw err;
  }
}

/**
 * Prefixes are joined with `:`, so namespace `shop` contains `shop:v2`: on a shared backend,
 * `clear()` of the first removes the second's keys. Said at start-up rather than found later,
 * for pairs of stores that can share a backend (shared-backends.ts: same driver over the same
 * address, directory, table or object; a custom store may share one with any but memory).
 */
function warnNestedNamespaces(
  definitions: Record<string, StoreDefinition>,
  stores: Record<string, StoreConfig>,
  logger: { warn(m: string): void },
): void {
  const names = Object.keys(definitions);
  for (const a of names) {
    for (const b of names) {
      const outer = definitions[a].namespace;
      if (a === b || !mayShareBackend(a, b, stores)) continue;
      if (outer && definitions[b].namespace.startsWith(outer + ':')) {
        logger.warn(
          `Cache stores "${a}" and "${b}": namespace "${outer}" contains "${definitions[b].namespace}"; ` +
            `if they share a backend, clear() of "${a}" also removes the keys of "${b}". Use prefixes that do not nest.`,
        );
      }
    }
  }
}

/**
 * One warning per option whose numeric TTL looks like milliseconds (DESIGN "Units"), naming the
 * option path as the user wrote it and suggesting a duration string.
 */
function warnMsLookingTtls(options: CacheManagerOptions, logger: { warn(m: string): void }): void {
  const places: [unknown, string][] = [[options.ttl, 'ttl']];
  for (const [name, config] of Object.entries(options.stores ?? {})) {
    places.push([config.ttl, `stores.${name}.ttl`]);
    if (config.driver === 'tiered') places.push([(config as { l1Ttl?: unknown }).l1Ttl, `stores.${name}.l1Ttl`]);
  }
  for (const [ttl, place] of places) {
    const warning = msLookingTtlWarning(ttl, place);
    if (warning) logger.warn(warning);
  }
}
