import { Cache } from './cache';
import type { CacheStats, HealthReport } from './cache.types';
import { CacheConfigError, CacheStoreNotFoundError } from './cache.errors';
import { CacheEvents, type CacheEventListener, type CacheEventType } from './cache.events';
import type { Clock } from './clock';
import { BurstLogger, type CacheLogger } from './logger';
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
}

export interface CacheManagerSettings {
  defaultStore: string;
  stores: Record<string, StoreDefinition>;
  clock: Clock;
  logger: CacheLogger;
}

/**
 * Owns every configured store and hands out their {@link Cache}s. Framework-free: the Nest
 * module provides the same object.
 */
export class CacheManager {
  /** Subscribe to cache events (`hit`, `miss`, `write`, `error`...). No subscriber, no cost. */
  readonly events = new CacheEvents();
  private readonly caches = new Map<string, Cache>();
  private readonly built = new Map<string, CacheStore>();
  private defaultName: string;
  private readonly errorLog: BurstLogger;
  private closed = false;

  constructor(private readonly settings: CacheManagerSettings) {
    this.defaultName = settings.defaultStore;
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
    const build = (name: string): CacheStore => {
      const existing = this.built.get(name);
      if (existing) return existing;
      const def = settings.stores[name];
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
        resolveStore: build,
        onEvict: (key) => this.caches.get(name)?.evicted(key),
      });
      building.delete(name);
      this.built.set(name, store);
      return store;
    };
    for (const name of names) this.register(name, build(name), settings.stores[name]);
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

  /** Whether a store of this name is configured. */
  has(name: string): boolean {
    return this.caches.has(name);
  }

  /** Names of the configured stores. */
  stores(): string[] {
    return [...this.caches.keys()];
  }

  /** The default store's name. */
  get defaultStoreName(): string {
    return this.defaultName;
  }

  /** Makes another configured store the default (for `CacheService` and `store()`). */
  setDefaultStore(name: string): void {
    if (!this.caches.has(name)) throw new CacheStoreNotFoundError(name, this.stores());
    this.defaultName = name;
  }

  /**
   * Adds (or replaces) a store at run time, such as a custom store.
   * @param options.prefix namespace of the store's keys; @param options.ttl default TTL in ms
   */
  registerStore(
    name: string,
    store: CacheStore,
    options: { namespace?: string; defaultTtlMs?: number; lock?: boolean } = {},
  ): Cache {
    if (typeof name !== 'string' || !name)
      throw new CacheConfigError('registerStore(name): name must be a non-empty string', name, 'name');
    assertStore(store, name);
    this.built.set(name, store);
    return this.register(name, store, {
      namespace: options.namespace ?? '',
      defaultTtlMs: options.defaultTtlMs,
      lock: options.lock,
    });
  }

  /** Subscribes to one event type (or `'*'`); returns the unsubscribe function. */
  on(type: CacheEventType | '*', listener: CacheEventListener): () => void {
    return this.events.on(type, listener);
  }

  /** Health of every store. */
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

  /** Counters of every store. */
  stats(): Record<string, CacheStats> {
    return Object.fromEntries([...this.caches.entries()].map(([name, cache]) => [name, cache.stats()]));
  }

  /**
   * Waits for stores that connect at start-up (Redis with `lazyConnect: false`) and fails with
   * one clear error naming the store when one cannot start.
   */
  async ready(): Promise<void> {
    await Promise.all(
      [...this.built.entries()].map(async ([name, store]) => {
        const init = (store as { init?: () => Promise<void> }).init;
        if (!init) return;
        try {
          await init.call(store);
        } catch (err) {
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
    const results = await Promise.allSettled([...new Set(this.built.values())].map((s) => s.close?.()));
    for (const r of results) {
      if (r.status === 'rejected') this.settings.logger.warn(`A cache store failed to close: ${String(r.reason)}`);
    }
  }

  private register(name: string, store: CacheStore, def: Omit<StoreDefinition, 'factory'>): Cache {
    const cache = new Cache({
      name,
      namespace: def.namespace,
      store,
      defaultTtlMs: def.defaultTtlMs,
      lock: def.lock,
      clock: this.settings.clock,
      errorLog: this.errorLog,
      events: this.events,
      resolve: (n) => this.store(n),
    });
    this.caches.set(name, cache);
    return cache;
  }
}

/** Checks that an object implements the four required store methods. */
export function assertStore(store: unknown, name: string): asserts store is CacheStore {
  const missing = ['get', 'set', 'delete', 'clear'].filter(
    (m) => typeof (store as Record<string, unknown> | null)?.[m] !== 'function',
  );
  if (missing.length) {
    throw new CacheConfigError(
      `stores.${name}.driver is not a cache store: it lacks ${missing.join(', ')}()`,
      name,
      'driver',
    );
  }
}
