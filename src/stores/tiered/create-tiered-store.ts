import { CacheConfigError, CacheStoreNotFoundError } from '../../core/cache.errors';
import { busChannel } from '../../core/keys';
import { OptionChecks } from '../../core/option-checks';
import type { CacheLogger } from '../../core/logger';
import type { CacheStore, StoreContext } from '../../core/store.types';
import { RedisBus } from '../redis/redis.bus';
import { checkRedisUrl, namesRedisConnection, REDIS_TARGET_KEYS } from '../redis/redis-store.options';
import { RedisStore } from '../redis/redis.store';
import { busSealOf, type BusSeal } from './bus-seal';
import type { InvalidationBus } from './invalidation-bus';
import { isInvalidationBus, resolveTieredStoreOptions, type TieredStoreOptions } from './tiered-store.options';
import { TieredStore } from './tiered.store';

/**
 * Builds a two-tier store from its configuration: resolves the tiers and chooses the bus. The
 * one file of stores/tiered that knows the Redis code (the default bus is Redis pub/sub where
 * a Redis L2 connects); a store for another backend adds its bus choice here.
 */
export function createTieredStore(options: TieredStoreOptions, ctx: StoreContext): CacheStore {
  const { name } = ctx;
  const resolved = resolveTieredStoreOptions(options, name);
  const [l1Name, l2Name] = resolved.tiers;
  const l1 = resolveTier(ctx, l1Name, 0);
  const l2 = resolveTier(ctx, l2Name, 1);
  let bus: InvalidationBus | undefined;
  if (isInvalidationBus(resolved.bus)) bus = resolved.bus;
  else if (resolved.bus === undefined && (bus = ownBusOf(l2, busChannel(ctx.namespace), name, ctx.logger))) {
    // The L2 carries invalidations itself (PostgreSQL: LISTEN/NOTIFY on its own database).
  } else if (resolved.bus !== false) {
    if (resolved.bus) {
      // Connection options with a typo (`{ ulr }`) would otherwise connect to ioredis' default address.
      new OptionChecks(name, `stores.${name}.bus`).knownKeys(resolved.bus, REDIS_TARGET_KEYS);
      checkRedisUrl(resolved.bus.url, name, 'bus.url');
    }
    const l2Target = l2 instanceof RedisStore ? l2.target : undefined;
    // `bus: { timeout }` alone connects where L2 does, with that timeout.
    const source =
      resolved.bus === undefined
        ? l2Target
        : namesRedisConnection(resolved.bus)
          ? resolved.bus
          : l2Target && { ...l2Target, timeout: resolved.bus.timeout ?? l2Target.timeout };
    if (!source) {
      throw new CacheConfigError(
        `stores.${name}.bus: L2 "${l2Name}" is not a Redis store, so the invalidation bus needs its own connection (bus: { url }), or bus: false for a single instance`,
        name,
        'bus',
      );
    }
    bus = new RedisBus(source, busChannel(ctx.namespace), name, ctx.logger);
  }
  // An L2 with encrypt or hashKeys: the built-in buses seal their key lists with its keys.
  const seal = bus && busSealOf(l2);
  if (seal) (bus as Partial<Sealable>).sealWith?.(seal);
  const startup = { required: resolved.requireOnStartup, timeoutMs: resolved.connectTimeout };
  return new TieredStore({ l1, l2, l1TtlMs: resolved.l1TtlMs, bus, startup }, ctx);
}

/** A built-in bus, which seals key lists when given a seal (bus-seal.ts). */
interface Sealable {
  sealWith(seal: BusSeal): void;
}

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

/** A tier by name; a name that is not configured is an error of `stores.<name>.tiers`. */
function resolveTier(ctx: StoreContext, tier: string, index: number): CacheStore {
  try {
    return ctx.resolveStore(tier);
  } catch (err) {
    if (!(err instanceof CacheStoreNotFoundError)) throw err;
    throw new CacheConfigError(
      `stores.${ctx.name}.tiers[${index}]: "${tier}" is not a configured store. Known stores: ${err.known.join(', ')}`,
      ctx.name,
      'tiers',
    );
  }
}

/** The pub/sub channel of a namespace (named in core/keys.ts with the other internal keys). */
export { busChannel };
