// Every in-memory subject behind one small adapter: get / set / remember with a 60 s TTL,
// each configured with its library's defaults (the way most users run it).
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { createCache } from 'cache-manager';
import { Cacheable } from 'cacheable';
import { LRUCache } from 'lru-cache';
import { ck } from './cachekit.mjs';

export const TTL_S = 60;
const TTL_MS = TTL_S * 1000;

function cachekit(subject, store) {
  const manager = ck.createCacheManager({ stores: { memory: store } });
  const cache = manager.default;
  return {
    subject,
    get: (k) => cache.get(k),
    set: (k, v) => cache.set(k, v, TTL_S),
    remember: (k, loader) => cache.remember(k, TTL_S, loader),
    close: () => manager.close(),
  };
}

/** Builds the subjects (or `only` the named one); `maxEntries` sizes the LRU-bounded ones alike. */
export function memorySubjects({ maxEntries = 10_000, only } = {}) {
  const all = makeSubjects(maxEntries, only);
  return only ? all.filter((s) => s?.subject === only) : all;
}

function makeSubjects(maxEntries, only) {
  // Built lazily so a memory-per-entry child allocates nothing for the other subjects.
  const want = (name) => !only || only === name;
  const lru = want('lru-cache') ? new LRUCache({ max: maxEntries }) : undefined;
  const map = new Map();
  const cm = want('cache-manager') ? createCache() : undefined;
  const cacheable = want('cacheable') ? new Cacheable() : undefined;
  const bento = want('bentocache')
    ? new BentoCache({
        default: 'memory',
        stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: maxEntries })) },
      })
    : undefined;
  return [
    want('cachekit') && cachekit('cachekit', { driver: 'memory', maxEntries }),
    want('cachekit-freeze') && cachekit('cachekit-freeze', { driver: 'memory', maxEntries, isolation: 'freeze' }),
    want('cachekit-noclone') && cachekit('cachekit-noclone', { driver: 'memory', maxEntries, clone: false }),
    lru && {
      subject: 'lru-cache',
      get: (k) => lru.get(k),
      set: (k, v) => lru.set(k, v, { ttl: TTL_MS }),
      remember: (k, loader) => {
        const v = lru.get(k);
        if (v !== undefined) return v;
        return Promise.resolve(loader()).then((x) => (lru.set(k, x, { ttl: TTL_MS }), x));
      },
      close: () => lru.clear(),
    },
    want('async-map') && {
      subject: 'async-map',
      get: async (k) => map.get(k),
      set: async (k, v) => void map.set(k, v),
      remember: async (k, loader) => {
        const v = map.get(k);
        if (v !== undefined) return v;
        const x = await loader();
        map.set(k, x);
        return x;
      },
      close: () => map.clear(),
    },
    cm && {
      subject: 'cache-manager',
      get: (k) => cm.get(k),
      set: (k, v) => cm.set(k, v, TTL_MS),
      remember: (k, loader) => cm.wrap(k, loader, TTL_MS),
      close: () => cm.disconnect(),
    },
    cacheable && {
      subject: 'cacheable',
      get: (k) => cacheable.get(k),
      set: (k, v) => cacheable.set(k, v, TTL_MS),
      remember: (k, loader) => cacheable.getOrSet(k, loader, { ttl: TTL_MS }),
      close: () => cacheable.disconnect(),
    },
    bento && {
      subject: 'bentocache',
      get: (k) => bento.get({ key: k }),
      set: (k, v) => bento.set({ key: k, value: v, ttl: TTL_MS }),
      remember: (k, loader) => bento.getOrSet({ key: k, factory: loader, ttl: TTL_MS }),
      close: () => bento.disconnectAll(),
    },
  ].filter(Boolean);
}
