import type { CacheApi, StatsReport } from './cache-api';
import type { CacheStats, HealthReport } from './cache.types';
import type { CacheFunnel, FunnelOptions } from './locks/cache-funnel';
import type { Lock, LockOptions } from './locks/cache-lock';
import type { Ttl } from './ttl';

/**
 * What a view over a cache (a tagged view, a memo view) takes from the plain cache unchanged:
 * locks and funnels (tags and memo do not apply to them), health and counters (a view has none
 * of its own). Internal: the views extend it so that these members are written once.
 */
export abstract class CacheView<Stats extends CacheStats | StatsReport> implements Pick<
  CacheApi<Stats>,
  'lock' | 'restoreLock' | 'funnel' | 'isHealthy' | 'health' | 'stats'
> {
  constructor(
    /** The plain cache (typed by its API, so a view needs no Cache import). */
    protected readonly cache: CacheApi<Stats>,
  ) {}

  lock(name: string, ttl?: Ttl, options?: LockOptions): Lock {
    return this.cache.lock(name, ttl, options);
  }
  restoreLock(name: string, owner: string, ttl?: Ttl): Lock {
    return this.cache.restoreLock(name, owner, ttl);
  }
  funnel(name: string, options: FunnelOptions): CacheFunnel {
    return this.cache.funnel(name, options);
  }
  isHealthy(): Promise<boolean> {
    return this.cache.isHealthy();
  }
  health(): Promise<HealthReport> {
    return this.cache.health();
  }
  /** The underlying store's counters (a view has none of its own). */
  stats(): Stats {
    return this.cache.stats();
  }
}
