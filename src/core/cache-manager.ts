import { Cache } from './cache';
import type { StatsReport } from './cache-api';
import type { HealthReport } from './cache.types';
import { CacheArgumentError, CacheConfigError, CacheError, CacheStoreNotFoundError } from './cache.errors';
import { CacheEvents, type CacheEventListener, type CacheEventType } from './cache.events';
import { DefaultStoreCache } from './default-store-cache';
import { joinPrefix } from './keys';
import { BurstLogger } from './logger';
import { OperationMeter } from './operation-meter';
import { checkRegisterStore, type RegisterStoreOptions } from './register-store-options';
import { toCacheStore, type SeedVocabularyStore } from './seed-store';
import { claimNamespace } from './store-access/namespace-clear';
import { claimOwnKeys, sharesOwnKeys } from './store-access/own-keys';
import type { CacheStore } from './store.types';
import { checkSettings, type CacheManagerSettings, type StoreDefinition } from './cache-manager.settings';

export type { CacheManagerSettings, StoreDefinition, StoreFactory } from './cache-manager.settings';

/**
 * Owns every configured store and hands out their {@link Cache}s. Framework-free: the Nest
 * module provides the same object. **The manager is a cache**: the whole Cache API
 * ({@link CacheApi}) acts on the current default store, as `CacheService` does.
 *
 * Build one with `createCacheManager(options)`; `new CacheManager(settings)` takes the internal,
 * already-resolved settings and throws a `CacheConfigError` saying so when given anything else.
 *
 * @example
 * const caches = createCacheManager({ default: 'mem', stores: { mem: { driver: 'memory' }, disk: { driver: 'file', directory: '.cache' } } });
 * await caches.set('greeting', 'hello', 60);       // on "mem", the default store
 * await caches.using('disk', (disk) => disk.increment('runs'));
 */
export class CacheManager extends DefaultStoreCache {
  /** Subscribe to cache events (`hit`, `miss`, `write`, `error`...). No subscriber, no cost. */
  readonly events = new CacheEvents();
  /** Per-operation counts and timings for the metrics exporters (see {@link meterOf}). */
  private readonly meter = new OperationMeter();
  private readonly caches = new Map<string, Cache>();
  /** Per store name, the function that reports its evictions (set when its Cache is built). */
  private readonly evictions = new Map<string, (k: string) => void>();
  private readonly built = new Map<string, CacheStore>();
  /** Releases the namespace each cache claims on its store instance (store-access/namespace-clear.ts). */
  private readonly claims: (() => void)[] = [];
  private defaultName: string;
  private readonly errorLog: BurstLogger;
  private closed = false;
  private readonly settings: CacheManagerSettings;

  constructor(settings: CacheManagerSettings) {
    super((self) => (self as CacheManager).store());
    checkSettings(settings);
    this.settings = settings;
    this.defaultName = settings.defaultStore;
    meters.set(this, this.meter);
    this.errorLog = new BurstLogger(settings.logger, () => Date.now());
    const names = Object.keys(settings.stores);
    if (!names.includes(settings.defaultStore)) {
      throw new CacheConfigError(
        `The default store "${settings.defaultStore}" is not configured. Known stores: ${names.join(', ') || '(none)'}`,
        settings.defaultStore,
        'default',
      );
    }
    const building = new Set<string>();
    /** Stores another store's factory resolved (a two-tier store's tiers): they keep namespaced keys. */
    const resolved = new Set<string>();
    const build = (name: string): CacheStore => {
      const existing = this.built.get(name);
      if (existing) return existing;
      // Own entries only: a tier named "toString" is a store that is not configured.
      const def = Object.hasOwn(settings.stores, name) ? settings.stores[name] : undefined;
      if (!def) throw new CacheStoreNotFoundError(name, names);
      if (building.has(name)) {
        throw new CacheConfigError(`Store "${name}" refers to itself through its tiers`, name, 'tiers');
      }
      building.add(name);
      const store = def.factory({
        name,
        namespace: def.namespace,
        clock: settings.clock,
        logger: settings.logger,
        resolveStore: (other) => {
          resolved.add(other);
          return build(other);
        },
        onEvict: (key) => this.evictions.get(name)?.(key),
      });
      building.delete(name);
      this.built.set(name, store);
      return store;
    };
    // Every store first, then the caches: whether a store is another's tier is known by then.
    const stores = names.map((name) => build(name));
    names.forEach((name, i) => {
      const def = settings.stores[name];
      this.register(name, stores[i], { ...def, ownKeys: def.ownKeys === true && !resolved.has(name) });
    });
  }

  /** The default store's cache. */
  get default(): Cache {
    return this.store();
  }

  /** The cache of store `name` (the default store when omitted). */
  store(name?: string): Cache {
    const cache = this.caches.get(name ?? this.defaultName);
    if (!cache) throw new CacheStoreNotFoundError(name ?? this.defaultName, this.stores());
    return cache;
  }

  /** Whether a store of this name is configured. (`has(key)` is the Cache API's: a key of the default store.) */
  hasStore(name: string): boolean {
    return this.caches.has(name);
  }

  /**
   * Runs `fn` with the cache of store `name` and returns what `fn` returns (a Promise if `fn`
   * is async): the seed's bound client, `with manager.using("redis") as c: ...`.
   * @throws CacheStoreNotFoundError at the call when no store has that name
   * @example const n = await manager.using('redis', (redis) => redis.increment('visits'));
   */
  using<R>(name: string, fn: (cache: Cache) => R): R {
    if (typeof fn !== 'function') {
      throw new CacheConfigError(`using(${JSON.stringify(name)}, fn): fn must be a function`, name, 'fn');
    }
    return fn(this.store(name));
  }

  /** Names of the configured stores. */
  stores(): string[] {
    return [...this.caches.keys()];
  }

  /** The default store's name. */
  get defaultStoreName(): string {
    return this.defaultName;
  }

  /** Makes another configured store the default (for the manager's own Cache API, `CacheService` and `store()`). */
  setDefaultStore(name: string): void {
    if (!this.caches.has(name)) throw new CacheStoreNotFoundError(name, this.stores());
    this.defaultName = name;
  }

  /**
   * Adds a store at run time, such as a custom store. The module prefix applies (then
   * `options.prefix`), so its keys never meet another app's. A store written in the seed
   * vocabulary (`get`/`put`/`forget`/`flush`) is adapted here, once. A name already in use is
   * refused: replacing a store would leave its connection open and `@InjectCache` holders on it.
   * @throws CacheConfigError for an empty or taken name, an unknown option, an invalid TTL or lock, or an object that is not a store
   * @example manager.registerStore('legacy', new LegacyStore(), { ttl: '10m', prefix: 'v1' });
   */
  registerStore(name: string, store: CacheStore | SeedVocabularyStore, options: RegisterStoreOptions = {}): Cache {
    const defaultTtlMs = checkRegisterStore(name, options, this.stores(), this.settings.logger);
    const adapted = toCacheStore(store, name, `registerStore(${JSON.stringify(name)}): the store`);
    this.built.set(name, adapted);
    const namespace = joinPrefix(this.settings.prefix, options.prefix);
    return this.register(name, adapted, {
      namespace,
      defaultTtlMs: defaultTtlMs ?? this.settings.defaultTtlMs,
      lock: options.lock,
      // The store of a cache that holds its keys without the namespace, under the same namespace:
      // the same keys, so the same key space (as two caches of one namespace share a backend).
      ownKeys: sharesOwnKeys(adapted, this, namespace),
    });
  }

  /** Subscribes to one event type (or `'*'`); returns the unsubscribe function. */
  on(type: CacheEventType | '*', listener: CacheEventListener): () => void {
    return this.events.on(type, listener);
  }

  /** Health of every store, keyed by store name. */
  async health(timeoutMs?: number): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.caches.entries()].map(async ([name, cache]) => [name, await cache.checkHealth(timeoutMs)] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Whether every store is up (a degraded two-tier store counts as up). */
  async isHealthy(): Promise<boolean> {
    const report = await this.health();
    return Object.values(report).every((h) => h.status !== 'down');
  }

  /** Counters of every store, keyed by store name. */
  stats(): StatsReport {
    return Object.fromEntries([...this.caches.entries()].map(([name, cache]) => [name, cache.stats()]));
  }

  /**
   * Runs every store's `init()` (creating directories, a first connection attempt). A store
   * whose backend is unreachable does not fail it unless configured with `requireOnStartup`;
   * a store that cannot start fails it with one clear error naming the store.
   */
  async ready(): Promise<void> {
    await Promise.all(
      [...this.built.entries()].map(async ([name, store]) => {
        if (!store.init) return;
        try {
          await store.init();
        } catch (err) {
          // The store's own typed errors already name it (CacheUnavailableError, CacheConfigError).
          if (err instanceof CacheError) throw err;
          throw new CacheConfigError(
            `Cache store "${name}" could not start: ${err instanceof Error ? err.message : String(err)}`,
            name,
            undefined,
            { cause: err },
          );
        }
      }),
    );
  }

  /** Closes every store (timers, connections it owns). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const release of this.claims.splice(0)) release();
    const results = await Promise.allSettled([...new Set(this.built.values())].map((s) => s.close?.()));
    for (const r of results) {
      if (r.status === 'rejected') this.settings.logger.warn(`A cache store failed to close: ${String(r.reason)}`);
    }
  }

  private register(name: string, store: CacheStore, def: Omit<StoreDefinition, 'factory'>): Cache {
    claimOwnKeys(store, this, name, def.namespace, def.ownKeys === true);
    const cache = new Cache({
      name,
      // A store only its cache uses holds the user's keys as they are (docs/stores-memory.md).
      namespace: def.ownKeys ? '' : def.namespace,
      ownKeys: def.ownKeys,
      store,
      defaultTtlMs: def.defaultTtlMs,
      lock: def.lock,
      maxValueBytes: def.maxValueBytes,
      clock: this.settings.clock,
      errorLog: this.errorLog,
      events: this.events,
      meter: this.meter,
      resolve: (n) => this.store(n),
      evictions: (report) => this.evictions.set(name, report),
    });
    this.caches.set(name, cache);
    this.claims.push(claimNamespace(store, def.namespace, name, this.settings.logger));
    return cache;
  }
}

const meters = new WeakMap<CacheManager, OperationMeter>();

/** The operation meter of a manager: what nestjs-cachekit/otel, /prometheus and /admin read. */
export function meterOf(manager: CacheManager): OperationMeter {
  const meter = meters.get(manager);
  if (!meter) throw new CacheArgumentError('Expected a CacheManager (from createCacheManager or the CacheModule)');
  return meter;
}
