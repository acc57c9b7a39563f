import { CacheConfigError } from '../../core/cache.errors';
import type { CacheStore, StoreContext } from '../../core/store.types';
import { parseOptionalTtl, type Ttl } from '../../core/ttl';
import { RedisStore } from '../redis/redis.store';
import type { CacheLogger } from '../../core/logger';
import { RedisBus, type InvalidationBus, type TieredBusOptions } from './invalidation-bus';
import { TieredStore } from './tiered.store';
import { busChannel } from '../../core/keys';

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
   * The invalidation bus (Redis pub/sub) that keeps every instance's L1 coherent. By default it
   * connects where the L2 Redis store does; over a Postgres L2 it is LISTEN/NOTIFY on the L2's
   * database (a `bus` given here is a Redis one instead). `false` turns it off: only for a single instance.
   * @default the L2 store's Redis connection
   * @example { url: 'redis://10.0.0.5:6379' }
   */
  bus?: false | TieredBusOptions;
}

/** Builds a tiered store from its configuration: resolves the tiers and opens the bus. */
export function createTieredStore(options: TieredStoreOptions, ctx: StoreContext): CacheStore {
  const { name } = ctx;
  const tiers = options.tiers as unknown;
  if (!Array.isArray(tiers) || tiers.length !== 2 || !tiers.every((t) => typeof t === 'string' && t)) {
    throw new CacheConfigError(
      `stores.${name}.tiers must name two configured stores, such as ['mem', 'redis'] (got ${JSON.stringify(tiers)})`,
      name,
      'tiers',
    );
  }
  if (tiers[0] === tiers[1]) {
    throw new CacheConfigError(`stores.${name}.tiers names "${tiers[0]}" twice`, name, 'tiers');
  }
  let l1TtlMs: number | undefined;
  try {
    l1TtlMs = parseOptionalTtl(options.l1Ttl, `stores.${name}.l1Ttl`);
  } catch (err) {
    throw new CacheConfigError((err as Error).message, name, 'l1Ttl');
  }
  const l1 = ctx.resolveStore(tiers[0] as string);
  const l2 = ctx.resolveStore(tiers[1] as string);
  const own = options.bus === undefined ? ownBusOf(l2, busChannel(ctx.namespace), name, ctx.logger) : undefined;
  if (own) return new TieredStore({ l1, l2, l1TtlMs, bus: own }, ctx);
  const source = options.bus === undefined ? busSourceOf(l2) : options.bus || undefined;
  if (options.bus === undefined && !source) {
    throw new CacheConfigError(
      `stores.${name}.bus: L2 "${tiers[1] as string}" is not a Redis store, so the invalidation bus needs its own connection (bus: { url }), or bus: false for a single instance`,
      name,
      'bus',
    );
  }
  const bus = source ? new RedisBus(source, busChannel(ctx.namespace), name, ctx.logger) : undefined;
  return new TieredStore({ l1, l2, l1TtlMs, bus }, ctx);
}

/** The pub/sub channel of a namespace (named in core/keys.ts with the other internal keys). */
export { busChannel };

/** A store that carries invalidations itself (Postgres: LISTEN/NOTIFY on its own database). */
interface BusProvider {
  createInvalidationBus(channel: string, name: string, logger: CacheLogger): InvalidationBus;
}

/** The bus an L2 offers of its own, if it does (checked structurally: no import of every store). */
function ownBusOf(l2: CacheStore, channel: string, name: string, logger: CacheLogger): InvalidationBus | undefined {
  const provider = l2 as Partial<BusProvider>;
  return typeof provider.createInvalidationBus === 'function'
    ? provider.createInvalidationBus(channel, name, logger)
    : undefined;
}

/** The connection options of a Redis L2, to open the bus where the data lives. */
function busSourceOf(l2: CacheStore): TieredBusOptions | undefined {
  return l2 instanceof RedisStore ? l2.target : undefined;
}
