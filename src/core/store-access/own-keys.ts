// A built-in memory store used only by its own cache holds that cache's keys without the
// namespace (StoreDefinition.ownKeys, docs/stores-memory.md). Such an instance must not serve a
// second key space: another namespace's keys in the same table could collide with the bare keys,
// and the owning cache's clear() would remove them. The owners are recorded process-wide, so a
// second manager handed the instance is refused too.
import { CacheConfigError } from '../cache.errors';
import type { CacheStore } from '../store.types';

interface OwnKeysHome {
  /** The manager (or any owner object) that built the store. */
  owner: object;
  namespace: string;
  name: string;
}

const homes = new WeakMap<CacheStore, OwnKeysHome>();

/**
 * Whether registering `store` under `namespace` with `owner` reuses the owning cache's key space
 * (the same manager and namespace: the same keys, as two caches of one namespace share a backend).
 */
export function sharesOwnKeys(store: CacheStore, owner: object, namespace: string): boolean {
  const home = homes.get(store);
  return home !== undefined && home.owner === owner && home.namespace === namespace;
}

/**
 * Records the owner of an own-keys store (`ownKeys` true), or refuses a store that already holds
 * another cache's bare keys for a cache that would use it namespaced.
 * @throws CacheConfigError naming the store and the one that owns the instance
 */
export function claimOwnKeys(
  store: CacheStore,
  owner: object,
  name: string,
  namespace: string,
  ownKeys: boolean,
): void {
  const home = homes.get(store);
  if (home === undefined) {
    if (ownKeys) homes.set(store, { owner, namespace, name });
    return;
  }
  if (ownKeys) return;
  throw new CacheConfigError(
    `Cache store "${name}" (namespace "${namespace}") is given the built-in memory store of store "${home.name}", ` +
      `which holds that cache's keys without a prefix, so it cannot also serve another namespace or manager. ` +
      `Configure a store of its own ({ driver: 'memory' }), or create one MemoryStore and pass it as the driver of both.`,
    name,
    'driver',
  );
}
