import type { CacheManagerOptions as NativeOptions, StoreConfig } from '../config/cache-options';
import type { Cache as NativeCache } from '../core/cache';
import type { CacheLogger } from '../core/logger';
import {
  isCacheableInstance,
  isKeyvAdapter,
  isKeyvInstance,
  keepsOwnFormat,
  type KeyvLike,
} from '../stores/keyv/keyv.types';
import type { CacheModuleOptions, CompatStore, CompatStoreView } from './compat.types';

/** The absolute expiry (epoch ms) of an entry with `seconds` of life left; `undefined` when it never expires. */
export function expiryFromSecondsLeft(seconds: number): number | undefined {
  return seconds === Infinity ? undefined : Math.round(Date.now() + seconds * 1000);
}

/** Most entries of the default memory store (upstream's has no bound: a slow leak under unique keys). */
export const COMPAT_MEMORY_MAX_ENTRIES = 100_000;

/** The options upstream reads; anything else is accepted and ignored, as upstream does, with a warning. */
const KNOWN = new Set([
  'stores',
  'namespace',
  'ttl',
  'refreshThreshold',
  'refreshAllStores',
  'nonBlocking',
  'cacheId',
  'isGlobal',
]);

/** Legacy (2.x, cache-manager ≤ 5) keys that upstream 3+ ignores silently, with what to do instead. */
const LEGACY: Record<string, string> = {
  store:
    'the 2.x "store" option is ignored since @nestjs/cache-manager 3; pass "stores" (a Keyv store adapter such as new KeyvRedis(url), or a Keyv instance)',
  max: `the 2.x "max" option is ignored since @nestjs/cache-manager 3; the default memory store keeps at most ${COMPAT_MEMORY_MAX_ENTRIES} entries`,
  isCacheableValue: 'the 2.x "isCacheableValue" option is ignored since @nestjs/cache-manager 3',
};

/** How the compat options become this package's stores. */
export interface CompatStorePlan {
  /** Options of the native manager underneath: one named store per compat store, in order. */
  native: NativeOptions;
  /** Store names, nearest first. */
  names: string[];
  /** Each store's own default TTL in ms (a Keyv instance's `ttl`), used when neither the call nor the module gives one. */
  ownTtls: (number | undefined)[];
  /** What `cache.stores` lists (filled once the native caches exist). */
  views: (cache: (name: string) => NativeCache) => CompatStoreView[];
  /** One line per store for the start-up log. */
  describe: string[];
}

/** Warns about option keys upstream ignores silently (legacy ones first, with the fix). */
export function warnIgnoredOptions(options: object, logger: CacheLogger): void {
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key)) continue;
    const legacy = Object.hasOwn(LEGACY, key) ? LEGACY[key] : undefined; // a key "toString" is not legacy
    logger.warn(
      legacy
        ? `CacheModule option "${key}": ${legacy}`
        : `CacheModule option "${key}" is not a cache option and is ignored (as @nestjs/cache-manager ignores it)`,
    );
  }
}

/** Turns `stores` into native store configurations, keeping their order. */
export function planStores(options: CacheModuleOptions, logger: CacheLogger): CompatStorePlan {
  const given = options.stores;
  const list: CompatStore[] = given === undefined || given === null ? [] : Array.isArray(given) ? given : [given];
  const stores: Record<string, StoreConfig> = {};
  const names: string[] = [];
  const ownTtls: (number | undefined)[] = [];
  const describe: string[] = [];
  const viewOf: ((cache: (name: string) => NativeCache) => CompatStoreView)[] = [];
  const namespace = typeof options.namespace === 'string' && options.namespace ? options.namespace : 'keyv';
  if (list.length === 0) {
    stores.memory = { driver: 'memory', clone: false, maxEntries: COMPAT_MEMORY_MAX_ENTRIES };
    names.push('memory');
    ownTtls.push(undefined);
    describe.push(`memory (in-process, values by reference, at most ${COMPAT_MEMORY_MAX_ENTRIES} entries)`);
    viewOf.push((cache) => keyvView(cache('memory'), undefined, ''));
  }
  list.forEach((store, i) => {
    const name = `store${i + 1}`;
    names.push(name);
    const own = isKeyvInstance(store) && typeof store.ttl === 'number' && store.ttl > 0 ? store.ttl : undefined;
    ownTtls.push(own);
    if (keepsOwnFormat(store)) {
      // Kept as is, as upstream: its own namespace, serializer and default TTL apply.
      stores[name] = {
        driver: 'keyv',
        store: own ? neverByDefault(store as KeyvLike) : store,
        serializer: false,
        disconnect: false,
      };
      const kind = isCacheableInstance(store) ? 'cacheable instance' : 'Keyv instance';
      const ns = (store as { namespace?: unknown }).namespace;
      describe.push(`${name}: ${kind}${typeof ns === 'string' ? ` (namespace "${ns}")` : ''}, its own serializer`);
      // The instance itself: a Keyv or cacheable object has every member of the view.
      viewOf.push(() => store as unknown as CompatStoreView);
    } else if (isKeyvAdapter(store)) {
      stores[name] = { driver: 'keyv', store, prefix: namespace, disconnect: false };
      describe.push(
        `${name}: Keyv adapter ${store.constructor?.name ?? 'object'}, keys "${namespace}:<key>", values typed by nestjs-cachekit`,
      );
      viewOf.push((cache) => keyvView(cache(name), store, namespace));
    } else {
      logger.warn(
        `CacheModule option "stores[${i}]" is not a Keyv instance, Keyv store adapter or cacheable instance: ignored`,
      );
      names.pop();
      ownTtls.pop();
    }
  });
  if (names.length === 0) return planStores({ ...options, stores: undefined }, logger);
  return {
    native: { prefix: '', stores, default: names[0] },
    names,
    ownTtls,
    views: (cache) => viewOf.map((v) => v(cache)),
    describe,
  };
}

/**
 * A Keyv instance with its own `ttl`, as the native store sees it: a write without a TTL never
 * expires (Keyv's `0`). Compat passes the instance's default itself when neither the call nor the
 * module gives a TTL, so a `0` (never expires) overrides it, as upstream hands `0` to Keyv.
 */
function neverByDefault(keyv: KeyvLike): KeyvLike {
  return new Proxy(keyv, {
    get(target, prop) {
      if (prop === 'set') return (key: string, value: unknown, ttl?: number) => target.set(key, value, ttl ?? 0);
      if (prop === 'ttl') return undefined;
      const member: unknown = Reflect.get(target, prop, target);
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
    },
  });
}

/**
 * A Keyv-shaped view of one native cache, for `cache.stores` (upstream lists Keyv objects there).
 * `store` is the adapter underneath, so `stores[1].store` still reaches a client.
 */
function keyvView(cache: NativeCache, adapter: unknown, namespace: string): CompatStoreView {
  const view: CompatStoreView & { opts: object; hooks: object; stats: object } = {
    opts: { store: adapter, namespace },
    hooks: {},
    stats: {},
    namespace: namespace || undefined,
    store: adapter,
    get: <T>(key: string) => cache.get<T>(key),
    getMany: async <T>(keys: string[]) => {
      const found = await cache.getMany<T>(keys);
      return keys.map((k) => found[k]);
    },
    getRaw: async <T>(key: string) => {
      const value = await cache.get<T>(key);
      if (value === undefined) return undefined;
      const seconds = await cache.ttl(key);
      const expires = seconds === undefined ? undefined : expiryFromSecondsLeft(seconds);
      return { value, expires };
    },
    set: (key: string, value: unknown, ttl?: number) =>
      ttl !== undefined && ttl > 0 ? cache.set(key, value, ttl / 1000) : cache.forever(key, value),
    delete: (key: string | string[]) =>
      Array.isArray(key) ? cache.deleteMany(key).then((n) => n > 0) : cache.delete(key),
    clear: () => cache.clear(),
    disconnect: async () => {
      await (adapter as { disconnect?: () => Promise<void> } | undefined)?.disconnect?.();
    },
    has: (key: string) => cache.has(key),
    // Store failures are logged and counted by the store (`stats()`); a Keyv `error` listener has nothing to hear.
    on: () => view,
  };
  return view;
}
