/**
 * Adapters that put nestjs-cachekit and BentoCache behind the same bench interface
 * ({ subject, get, set, getMany, remember }), shared by the store groups.
 */

/** A nestjs-cachekit `Cache`, with TTLs in seconds. */
export function cachekitSubject(cache, ttlS) {
  return {
    subject: 'cachekit',
    get: (k) => cache.get(k),
    set: (k, v) => cache.set(k, v, ttlS),
    getMany: (ks) => cache.getMany(ks),
    remember: (k, l) => cache.remember(k, ttlS, l),
  };
}

/** A BentoCache instance, with TTLs in ms (BentoCache has no getMany: one get per key). */
export function bentoSubject(bento, ttlMs) {
  return {
    subject: 'bentocache',
    get: (k) => bento.get({ key: k }),
    set: (k, v) => bento.set({ key: k, value: v, ttl: ttlMs }),
    getMany: (ks) => Promise.all(ks.map((k) => bento.get({ key: k }))),
    remember: (k, l) => bento.getOrSet({ key: k, factory: l, ttl: ttlMs }),
  };
}
