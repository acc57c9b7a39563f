// clear() of one cache on a store instance that may serve several (DESIGN: "clear() removes
// this cache's own keys only (its prefix), never another app's"). One store object can be handed
// to several caches of different namespaces: two managers, two store names, `registerStore`
// twice, the tiers of a two-tier store. Each cache claims the namespace it uses on the instance
// here (process-wide, so two managers see each other), which tells `clearOwnKeys` whether a
// store without `clearNamespace` can still be cleared with its own `clear()`.
import { CacheUnsupportedError } from '../cache.errors';
import type { CacheLogger } from '../logger';
import type { CacheStore } from '../store.types';

/** Per store instance: the namespaces claimed on it, with the claiming store names. */
const claims = new WeakMap<CacheStore, Map<string, Set<string>>>();

/**
 * Records that cache `name` uses `store` under `namespace`, and warns about sharing that no
 * clear() can make safe: a store without `clearNamespace` under another namespace (its clear()
 * is then refused), or namespaces that nest (`shop` contains `shop:v2`). Returns the release.
 */
export function claimNamespace(store: CacheStore, namespace: string, name: string, logger: CacheLogger): () => void {
  let byNs = claims.get(store);
  if (!byNs) claims.set(store, (byNs = new Map()));
  const others = [...byNs.entries()].filter(([ns, names]) => ns !== namespace && names.size > 0);
  for (const [ns, names] of others) {
    const who = `Cache stores "${[...names][0]}" (namespace "${ns}") and "${name}" (namespace "${namespace}")`;
    if (!store.clearNamespace) {
      logger.warn(
        `${who} share one store instance that has no clearNamespace(): its clear() would remove both caches' keys, ` +
          `so clear() on either is refused while both use it. Give each cache its own instance, or implement clearNamespace(namespace) on the store.`,
      );
    } else if (contains(ns, namespace) || contains(namespace, ns)) {
      const [outer, inner] = contains(ns, namespace) ? [ns, namespace] : [namespace, ns];
      logger.warn(
        `${who} share one store instance, and namespace "${outer}" contains "${inner}": clear() of the first also removes the keys of the second. Use prefixes that do not nest.`,
      );
    }
  }
  let names = byNs.get(namespace);
  if (!names) byNs.set(namespace, (names = new Set()));
  names.add(name);
  const held = names;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(name);
  };
}

/**
 * `cache.clear()` on the store: `clearNamespace(namespace)` where the store has it, else its
 * `clear()`, which empties the whole instance and so is refused while a cache of another
 * namespace claims the same instance.
 * @throws CacheUnsupportedError naming the store and the other namespace
 */
export function clearOwnKeys(store: CacheStore, namespace: string, name: string): Promise<void> {
  if (store.clearNamespace) {
    // A subclass that overrides only clear() (to log, to clear what it keeps beside) gets its
    // clear() called while its cache is the instance's only user: that removes the same keys.
    if (overridesClear(store) && otherNamespace(store, namespace) === undefined) return store.clear();
    return store.clearNamespace(namespace);
  }
  const other = otherNamespace(store, namespace);
  if (other !== undefined) {
    return Promise.reject(
      new CacheUnsupportedError(
        name,
        'clear',
        `Cache store "${name}": clear() refused, its store instance also holds the keys of namespace "${other}" ` +
          `and has no clearNamespace() to remove only "${namespace}"; nothing was removed`,
      ),
    );
  }
  return store.clear();
}

/**
 * Whether `clear` is defined below the `clearNamespace` it would be paired with: on the instance
 * or a subclass prototype nearer than the one that defines `clearNamespace` (a subclass of a
 * built-in store that overrides `clear()` only).
 */
function overridesClear(store: CacheStore): boolean {
  for (let at: object | null = store; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    if (Object.hasOwn(at, 'clearNamespace')) return false;
    if (Object.hasOwn(at, 'clear')) return true;
  }
  return false;
}

/** A namespace other than `namespace` claimed on `store` by a cache, if any. */
function otherNamespace(store: CacheStore, namespace: string): string | undefined {
  for (const [ns, names] of claims.get(store) ?? []) if (ns !== namespace && names.size > 0) return ns;
  return undefined;
}

/** Whether keys of namespace `inner` also start with `outer:` (the empty namespace holds every key). */
function contains(outer: string, inner: string): boolean {
  return outer === '' || inner.startsWith(outer + ':');
}
