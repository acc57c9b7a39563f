import { errorMessage } from '../../core/format';
import type { CacheStore, StoreHealthDetail, StoreStats } from '../../core/store.types';
import type { InvalidationBus } from './invalidation-bus';

type PartHealth = { status: 'up' | 'down'; error?: string };

/** Pings a tier (or reads `pingKey` where it has no `ping`): `up`, or `down` with the reason. */
async function probe(store: CacheStore, pingKey: string): Promise<PartHealth> {
  try {
    if (store.ping) await store.ping();
    else await store.get(pingKey);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: errorMessage(err) };
  }
}

/**
 * The health of a two-tier store, part by part: `up`; `degraded` when L2 or the bus is down
 * (L1 still serves); `down` when L1 fails.
 */
export async function tieredHealthDetail(
  l1: CacheStore,
  l2: CacheStore,
  bus: InvalidationBus | undefined,
  pingKey: string,
): Promise<StoreHealthDetail> {
  const [near, far] = await Promise.all([probe(l1, pingKey), probe(l2, pingKey)]);
  const parts: NonNullable<StoreHealthDetail['parts']> = { l1: near, l2: far };
  if (bus) parts.bus = bus.connected ? { status: 'up' } : { status: 'down', error: 'not subscribed' };
  if (near.status === 'down') return { status: 'down', error: `L1: ${near.error}`, parts };
  const down = Object.entries(parts).filter(([, p]) => p.status === 'down');
  if (down.length === 0) return { status: 'up', parts };
  return { status: 'degraded', error: down.map(([n, p]) => `${n}: ${p.error}`).join('; '), parts };
}

/** L1's figures, and as `errors` the bus messages this instance could not read (`faults`). */
export function tieredStats(l1: CacheStore, faults: number): StoreStats {
  const near = l1.stats?.() ?? {};
  return faults === 0 ? near : { ...near, errors: (near.errors ?? 0) + faults };
}
