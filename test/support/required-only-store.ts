import { MemoryStore, type CacheStore, type StoreContext } from '../../src';

/**
 * A store with only the four required methods (get, set, delete, clear) and `close`, over a real
 * memory store: no add, increment, ttl or lock hooks, so the cache takes its fallbacks for them.
 */
export function requiredOnly(inner: MemoryStore = new MemoryStore()): CacheStore {
  return {
    get: (k) => inner.get(k),
    set: (k, v, ttl) => inner.set(k, v, ttl),
    delete: (k) => inner.delete(k),
    clear: () => inner.clear(),
    close: () => inner.close(),
  };
}

/** {@link requiredOnly} as a store factory (`driver: requiredOnlyStore`), on the context's clock. */
export function requiredOnlyStore(ctx: StoreContext): CacheStore {
  return requiredOnly(new MemoryStore({}, ctx.clock, ctx.name));
}

/** {@link requiredOnlyStore} with lock hooks that say yes to everyone: locks turned off. */
export function locksOffStore(ctx: StoreContext): CacheStore {
  return Object.assign(requiredOnlyStore(ctx), {
    acquireLock: async () => true,
    renewLock: async () => true,
    releaseLock: async () => true,
  });
}
