import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from '../core/cache';
import type { StatsReport } from '../core/cache-api';
import type { HealthReport } from '../core/cache.types';
import { CacheManager } from '../core/cache-manager';
import { DefaultStoreCache } from '../core/default-store-cache';

/**
 * The default store's cache, injectable anywhere: the whole Cache API ({@link CacheApi}: `get`,
 * `set`, `remember`, `tags`, `increment`...), each call on the manager's current default store
 * (see `CacheManager.setDefaultStore`). `store(name)` reaches the others; `health()` and
 * `stats()` report every store, keyed by store name. Member docs are those of {@link CacheApi}.
 *
 * @example
 * @Injectable()
 * export class UsersService {
 *   constructor(private readonly cache: CacheService) {}
 *   find(id: number): Promise<User> {
 *     return this.cache.remember(`user:${id}`, '10m', () => this.repo.find(id));
 *   }
 * }
 */
@Injectable()
export class CacheService extends DefaultStoreCache {
  constructor(
    /** The manager behind this service: every store, `registerStore`, `using`, events. */
    @Inject(CacheManager) readonly manager: CacheManager,
  ) {
    super((self) => (self as CacheService).manager.default);
  }

  /**
   * The cache of store `name` (the default store when omitted).
   * @throws CacheStoreNotFoundError naming the known stores
   */
  store(name?: string): Cache {
    return this.manager.store(name);
  }
  /** Health of every store, keyed by store name. */
  health(): Promise<HealthReport> {
    return this.manager.health();
  }
  /** Whether every store is up (a degraded two-tier store counts as up). */
  isHealthy(): Promise<boolean> {
    return this.manager.isHealthy();
  }
  /** Counters of every store, keyed by store name. */
  stats(): StatsReport {
    return this.manager.stats();
  }
}
