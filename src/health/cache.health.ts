import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { StoreHealth } from '../core/cache.types';
import { CacheManager } from '../core/cache-manager';
import { redactSecrets } from '../core/format';
import { MAX_TIMER_MS, msOfDuration, TIMER_LIMIT, type MsOrDuration } from '../core/ttl';

/** Options of {@link CacheHealthIndicator.isHealthy}. */
export interface CacheHealthOptions {
  /**
   * The stores to check.
   * @default every configured store
   * @example { stores: ['redis'] }
   */
  stores?: string[];
  /**
   * How long each store may take to answer; a store that does not answer in time is down.
   * Stores are checked in parallel, so this also bounds the whole check.
   * number: milliseconds; string: a duration such as '2s'.
   * @default 1000
   * @example { timeout: '500ms' }
   */
  timeout?: MsOrDuration;
}

/** What the indicator reports under its key, besides `status`. */
export interface CacheHealthDetails {
  /** Every checked store: `up`, `down` or `degraded`, its latency and, when not up, why. */
  stores: Record<string, StoreHealth>;
  /** Which stores are down or degraded, and why (absent when all are up). */
  message?: string;
}

/**
 * A Terminus health indicator for the cache stores.
 *
 * `up` when every checked store answers; `down` naming the stores that do not (and why);
 * `degraded` when a store is only partly down, such as a two-tier store whose L2 is down while
 * its L1 serves (Terminus 12; on Terminus 11, which has no `degraded`, it reports `up` with the
 * detail). It never throws, and reports no connection secret.
 *
 * @example
 * \@Module({ imports: [TerminusModule, CacheModule.forRoot({...})], providers: [CacheHealthIndicator], controllers: [HealthController] })
 * // in HealthController:
 * \@Get('health') \@HealthCheck()
 * check() { return this.health.check([() => this.cacheHealth.isHealthy('cache')]); }
 */
@Injectable()
export class CacheHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(CacheManager) private readonly manager: CacheManager,
  ) {}

  /**
   * Checks the stores and reports them under `key`.
   * @param key the key in the health check's result @default 'cache'
   */
  async isHealthy<const Key extends string = 'cache'>(
    key: Key = 'cache' as Key,
    options: CacheHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicators.check(key);
    try {
      const stores = await this.check(options);
      const details = (status: StoreHealth['status']) =>
        Object.entries(stores)
          .filter(([, h]) => h.status === status)
          .map(([name, h]) => `"${name}"${h.error ? ` (${h.error})` : ''}`);
      const down = details('down');
      if (down.length) {
        return session.down({ message: `Cache store ${down.join(', ')} is down`, stores });
      }
      const degraded = details('degraded');
      if (degraded.length) {
        const message = `Cache store ${degraded.join(', ')} is degraded`;
        // Terminus 11 has no `degraded`: the check stays up and says why.
        const withDegraded = session as { degraded?: (data: CacheHealthDetails) => HealthIndicatorResult<Key> };
        if (typeof withDegraded.degraded === 'function') return withDegraded.degraded({ message, stores });
        return session.up({ message, stores });
      }
      return session.up({ stores });
    } catch (err) {
      return session.down({ message: redactSecrets(err instanceof Error ? err.message : String(err)) });
    }
  }

  private async check(options: CacheHealthOptions): Promise<Record<string, StoreHealth>> {
    const timeout = healthTimeout(options.timeout);
    const names = options.stores ?? this.manager.stores();
    const checked = await Promise.all(
      names.map(async (name): Promise<[string, StoreHealth]> => {
        if (!this.manager.hasStore(name)) {
          const known = this.manager.stores().join(', ');
          return [name, { status: 'down', latencyMs: 0, error: `not configured. Known stores: ${known}` }];
        }
        const health = await this.manager.store(name).checkHealth(timeout);
        return [name, health.error === undefined ? health : { ...health, error: redactSecrets(health.error) }];
      }),
    );
    return Object.fromEntries(checked);
  }
}

/**
 * The check's timeout in ms (default 1000). A bad one throws to `isHealthy`'s catch, which
 * reports it as `down` with this message: the indicator never throws.
 */
function healthTimeout(given: unknown): number {
  if (given === undefined) return 1000;
  const ms = msOfDuration(given);
  const got = typeof given === 'string' ? JSON.stringify(given) : String(given);
  if (ms === undefined) {
    throw new Error(`isHealthy(): timeout must be a positive number of ms or a duration such as '2s', got ${got}`);
  }
  if (ms > MAX_TIMER_MS) throw new Error(`isHealthy(): timeout must be at most ${TIMER_LIMIT}, got ${got}`);
  return ms;
}
