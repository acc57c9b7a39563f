import { CacheConfigError } from '../../core/cache.errors';
import { storeOptionChecks } from '../../core/option-checks';
import { parseDurationOption, parseOptionalTtl, type Ttl } from '../../core/ttl';
// Type only: the bus connection has the Redis store's shapes. Nothing of ../redis runs here;
// create-tiered-store.ts is the one file of this folder that uses the Redis code.
import type { TieredBusOptions } from '../redis/redis.bus';
import type { CacheStore } from '../../core/store.types';
import type { InvalidationBus } from './invalidation-bus';
import type { TieredStartup } from './tiered-startup';

/** Options of `driver: 'tiered'`. */
export interface TieredStoreOptions {
  /**
   * Names of two configured stores: the near tier (L1, usually memory) and the shared tier
   * (L2, usually Redis). Give the tiered store its own tier stores: `clear()` clears both.
   * @example ['mem', 'redis']
   */
  tiers: readonly [string, string];
  /**
   * Longest life of an L1 copy (seconds or `'30s'`). A copy never outlives its L2 entry, and
   * while L2 is unreachable L1 serves a copy no longer than this.
   * @default the L2 entry's remaining TTL
   */
  l1Ttl?: Ttl;
  /**
   * The invalidation bus that keeps every instance's L1 coherent: where Redis pub/sub connects
   * (by default where the L2 Redis store does), or any {@link InvalidationBus}. `false` turns it
   * off: only for a single instance.
   * @default the L2 store's Redis connection
   * @example { url: 'redis://10.0.0.5:6379' }
   */
  bus?: false | TieredBusOptions | InvalidationBus;
  /**
   * `true`: start-up waits (at most `connectTimeout`) until L2 answers and the bus is
   * subscribed, and fails with a `CacheUnavailableError` naming the store otherwise. `false`:
   * an unreachable L2 or bus is logged once, the store reports it in health, and it connects in
   * the background.
   * @default false
   */
  requireOnStartup?: boolean;
  /**
   * How long start-up waits with `requireOnStartup`: seconds or a duration string.
   * @default '10s'
   */
  connectTimeout?: Ttl;
}

/** The parts of a {@link TieredStore}. */
export interface TieredStoreTiers {
  /** The near tier, local to this process (usually a memory store). */
  l1: CacheStore;
  /** The shared truth (usually Redis). Counters and locks live here alone. */
  l2: CacheStore;
  /** Longest life of an L1 copy in ms; copies never outlive the L2 entry either. */
  l1TtlMs?: number;
  /** Keeps the L1 of every instance coherent. Without one, use a single instance only. */
  bus?: InvalidationBus;
  /** Start-up: by default nothing waits for L2 or the bus; `required` waits up to `timeoutMs`. */
  startup?: TieredStartup;
}

/** Every default of a two-tier store, written once. */
export const TIERED_DEFAULTS = {
  requireOnStartup: false,
  /** ms start-up waits with `requireOnStartup` */
  connectTimeout: 10_000,
  /** ms start-up waits, without `requireOnStartup`, for a first look at the bus */
  firstLook: 1000,
} as const;

/** The validated options of a two-tier store. */
export interface ResolvedTieredStoreOptions {
  tiers: readonly [string, string];
  l1TtlMs?: number;
  /** `undefined`: the default bus (where L2 connects). */
  bus?: false | TieredBusOptions | InvalidationBus;
  requireOnStartup: boolean;
  connectTimeout: number;
}

/** Checks the options of a two-tier store; throws a `CacheConfigError` naming the store and field. */
export function resolveTieredStoreOptions(options: TieredStoreOptions, store: string): ResolvedTieredStoreOptions {
  const tiers = options.tiers as unknown;
  if (!Array.isArray(tiers) || tiers.length !== 2 || !tiers.every((t) => typeof t === 'string' && t)) {
    throw new CacheConfigError(
      `stores.${store}.tiers must name two configured stores, such as ['mem', 'redis'] (got ${JSON.stringify(tiers)})`,
      store,
      'tiers',
    );
  }
  if (tiers[0] === tiers[1]) {
    throw new CacheConfigError(`stores.${store}.tiers names "${tiers[0]}" twice`, store, 'tiers');
  }
  let l1TtlMs: number | undefined;
  try {
    l1TtlMs = parseOptionalTtl(options.l1Ttl, `stores.${store}.l1Ttl`);
  } catch (err) {
    throw new CacheConfigError((err as Error).message, store, 'l1Ttl');
  }
  const bus = options.bus as unknown;
  if (bus !== undefined && bus !== false && (bus === null || typeof bus !== 'object')) {
    storeOptionChecks(store).fail('bus', 'false, Redis connection options ({ url }) or an InvalidationBus', bus);
  }
  const check = storeOptionChecks(store);
  return {
    tiers: tiers as [string, string],
    l1TtlMs,
    bus: options.bus,
    requireOnStartup: check.boolean('requireOnStartup', options.requireOnStartup, TIERED_DEFAULTS.requireOnStartup),
    connectTimeout: parseDurationOption(
      options.connectTimeout,
      store,
      'connectTimeout',
      TIERED_DEFAULTS.connectTimeout,
    ),
  };
}

/** Whether `bus` is a bus object rather than connection options. */
export function isInvalidationBus(bus: unknown): bus is InvalidationBus {
  const b = bus as Partial<InvalidationBus> | null;
  return typeof b?.start === 'function' && typeof b.publish === 'function' && typeof b.close === 'function';
}
