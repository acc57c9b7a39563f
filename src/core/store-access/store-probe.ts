import { errorMessage, round } from '../format';
import type { StoreHealth } from '../cache.types';
import { pingKey } from '../keys';
import type { CacheStore } from '../store.types';

/**
 * Pings one store (its own health detail, `ping`, or a read of a reserved key) and times it;
 * no answer within `timeoutMs` counts as down.
 */
export async function probeStore(store: CacheStore, ns: string, timeoutMs: number): Promise<StoreHealth> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      if (store.healthDetail) return store.healthDetail();
      if (store.ping) await store.ping();
      else await store.get(pingKey(ns));
      return { status: 'up' as const };
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const detail = await Promise.race([probe, timeout]);
    const latencyMs = round(performance.now() - start);
    return detail.error
      ? { status: detail.status, latencyMs, error: detail.error }
      : { status: detail.status, latencyMs };
  } catch (err) {
    return { status: 'down', latencyMs: round(performance.now() - start), error: errorMessage(err) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
