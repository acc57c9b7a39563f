// What the cache does when a store lacks an optional method: the same operation built from the
// four required ones (get, set, delete, clear). None of these is atomic across processes; the
// docs say so (docs/custom-stores.md). Only stores without the optional method come here.
import { incremented } from '../increment';
import type { CacheStore, StoreEntry } from '../store.types';

/**
 * A two-tier store's L1 hit, read from its in-process tier (`nearSync`) with no frame of the
 * two-tier store in between, else `undefined`: ask `get`. Out of line (V8 inlines it) so that
 * `Cache.get` stays small: its bytecode, with what V8 inlines into it, must fit V8's inlining
 * budget (docs/benchmarks.md, Core split A/B and the two-tier section).
 */
export function peekNear(store: CacheStore, k: string): unknown {
  return store.nearSync?.getSync(k);
}

/** `add` as get-then-set. */
export async function addIfAbsent(
  store: CacheStore,
  k: string,
  value: unknown,
  ttlMs: number | undefined,
): Promise<boolean> {
  if ((await store.get(k)) !== undefined) return false;
  await store.set(k, value, ttlMs);
  return true;
}

/** `increment` as get-then-set; the entry keeps its remaining TTL. */
export async function incrementByGetSet(
  store: CacheStore,
  k: string,
  by: number,
  ttlMs: number | undefined,
): Promise<number> {
  const current = await store.get(k);
  const next = incremented(k, current, by);
  let keep = ttlMs;
  if (current !== undefined) {
    const left = store.ttl ? await store.ttl(k) : undefined;
    keep = left === undefined || left === Infinity ? undefined : Math.max(1, left);
  }
  await store.set(k, next, keep);
  return next;
}

/** `getMany`, or one `get` per key. */
export function getMany(store: CacheStore, ks: readonly string[]): Promise<unknown[]> {
  return store.getMany ? store.getMany(ks) : Promise.all(ks.map((k) => store.get(k)));
}

/** `setMany`, or one `set` per entry. */
export async function setMany(store: CacheStore, list: readonly StoreEntry[]): Promise<void> {
  if (store.setMany) await store.setMany(list);
  else await Promise.all(list.map((e) => store.set(e.key, e.value, e.ttlMs)));
}

/** `deleteMany`, or one `delete` per key; resolves how many were removed. */
export async function deleteMany(store: CacheStore, ks: readonly string[]): Promise<number> {
  if (store.deleteMany) return store.deleteMany(ks);
  const results = await Promise.all(ks.map((k) => store.delete(k)));
  return results.filter(Boolean).length;
}

/** `touch`, or a re-`set` of the value read. */
export async function touchBySet(
  store: CacheStore,
  k: string,
  raw: unknown,
  ttlMs: number | undefined,
): Promise<boolean> {
  if (store.touch) return store.touch(k, ttlMs);
  await store.set(k, raw, ttlMs);
  return true;
}
