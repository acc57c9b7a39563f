import type { Cache } from '../../core/cache';
import type { TaggedCache } from '../../core/tagged-cache';
import type { Ttl } from '../../core/ttl';
import type { CacheEvictOptions } from '../interfaces/cache-evict-options.interface';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';
import { renderTemplate, resolveKey, type CacheKeyOption } from '../keys/cache-key';
import type { CacheMetadataAccessor, CacheMethodMetadata } from './cache-metadata.accessor';
import { callOption, LoaderFailure, NotCached } from './cache-loader.signals';

/**
 * What a decorated call needs from its app: the caches, the metadata and the diagnostics.
 * `CacheDecoratorRuntime` is the one implementation; the provider-method invoker and the HTTP
 * interceptor see only this, so neither knows the runtime nor each other.
 */
export interface DecoratedCallHost {
  readonly metadata: CacheMetadataAccessor;
  /** The cache of `store` (default store when omitted), tagged when `tags` is non-empty. */
  cache(store: string | undefined, tags?: string[]): Cache | TaggedCache;
  /** Logs (once per burst) and counts a failure the decorators absorbed. */
  report(where: string, operation: string, err: unknown): void;
  /** Logs a warning once per id for the life of the app. */
  warnOnce(id: string, message: string): void;
  /** The time of the caches (the module's `clock`), epoch ms: HTTP `Age` and `X-Cache: STALE` follow it. */
  now(): number;
}

/** Renders tag templates for one call. */
export function renderTags(tags: readonly string[] | undefined, root: unknown): string[] | undefined {
  return tags?.map((t) => renderTemplate(t, root));
}

/** Where one `@Cacheable` call reads and writes. */
export interface CachedCallTarget {
  key: string;
  cache: Cache | TaggedCache;
}

/**
 * The key step of a `@Cacheable` call, alike for providers and HTTP handlers: its `condition`
 * (called with `conditionArgs`), its key (`makeKey`), its cache (tagged with `meta.tags` rendered
 * over `root()`, built only when there are tags). `undefined` when the call is to run uncached:
 * the condition said no, or a step threw (reported as a `key` failure, never thrown).
 */
export function cachedCallTarget(
  host: DecoratedCallHost,
  where: string,
  options: CacheableOptions,
  meta: CacheMethodMetadata,
  conditionArgs: readonly unknown[],
  root: () => unknown,
  makeKey: () => string,
): CachedCallTarget | undefined {
  try {
    if (options.condition && !callOption(options.condition, conditionArgs)) return undefined;
    const key = makeKey();
    return { key, cache: host.cache(options.store, meta.tags?.length ? renderTags(meta.tags, root()) : undefined) };
  } catch (err) {
    host.report(where, 'key', err);
    return undefined;
  }
}

/**
 * The order every decorated call follows, for providers and HTTP handlers alike: evictions
 * before (if asked), then the cached call or the plain call plus `@CachePut`, then evictions after.
 * @param cached the `@Cacheable` path, or undefined when this call is not to be cached
 */
export async function runDecorated(
  host: DecoratedCallHost,
  meta: CacheMethodMetadata,
  root: unknown,
  fnArgs: readonly unknown[],
  where: string,
  call: () => Promise<unknown>,
  cached: (() => Promise<unknown>) | undefined,
): Promise<unknown> {
  if (meta.evict?.beforeInvocation) await evict(host, meta.evict, root, fnArgs, where);
  let result: unknown;
  if (cached) {
    result = await cached();
  } else {
    result = await call();
    if (meta.put) await put(host, meta.put, meta.tags, result, root, fnArgs, where);
  }
  if (meta.evict && !meta.evict.beforeInvocation) await evict(host, meta.evict, root, fnArgs, where);
  return result;
}

/** Evicts per `@CacheEvict`; failures are logged and counted, never thrown. */
async function evict(
  host: DecoratedCallHost,
  options: CacheEvictOptions,
  root: unknown,
  fnArgs: readonly unknown[],
  where: string,
): Promise<void> {
  try {
    const cache = host.cache(options.store);
    const tasks: Promise<unknown>[] = [];
    if (options.allEntries) tasks.push(cache.clear());
    if (options.keys?.length) tasks.push(cache.deleteMany(options.keys.map((k) => resolveKey(k, root, fnArgs))));
    if (options.tags?.length) tasks.push(cache.tags(options.tags.map((t) => renderTemplate(t, root))).flush());
    await Promise.all(tasks);
  } catch (err) {
    host.report(where, 'evict', err);
  }
}

/** Stores a value per `@CachePut`; failures are logged and counted, never thrown. */
async function put(
  host: DecoratedCallHost,
  options: { key: CacheKeyOption; ttl?: Ttl; store?: string },
  tags: string[] | undefined,
  value: unknown,
  root: unknown,
  fnArgs: readonly unknown[],
  where: string,
): Promise<void> {
  if (value === undefined) return;
  try {
    const key = resolveKey(options.key, root, fnArgs);
    await host.cache(options.store, renderTags(tags, root)).set(key, value, options.ttl);
  } catch (err) {
    host.report(where, 'put', err);
  }
}

/** What `toStored` returns for a result that must be handed back without being stored. */
export const NOT_STORED: unique symbol = Symbol('not stored');

/** A result given back without coming from the cache (not storable, or the cache failed). */
export class PlainResult {
  constructor(readonly value: unknown) {}
}

/**
 * `remember` around a decorated call, with the rules both kinds of decorated call must keep
 * identical: the method's own error reaches the caller as is; a result `toStored` refuses is
 * returned without being stored; a cache failure is reported and degrades to the plain call,
 * and the method never runs twice for one call.
 *
 * @param remember runs `cache.remember(key, ttl, loader, ...)` with the loader given (and may
 *   resolve early, as the HTTP cache does for a miss that answers before its write is done)
 * @param call the method (or handler) itself
 * @param toStored what to store for a result, or {@link NOT_STORED} (may wait, for example for
 *   the response's headers to leave)
 * @param shareUnstored whether callers that waited on another's run may get its unstored result
 *   (a provider's value may be shared; an HTTP response, bound to one request, may not)
 * @returns the stored value (what `remember` resolved), or a {@link PlainResult}
 */
export async function rememberDecorated<S, R = S>(
  host: DecoratedCallHost,
  where: string,
  remember: (loader: () => Promise<S>) => Promise<R>,
  call: () => Promise<unknown>,
  toStored: (result: unknown) => S | typeof NOT_STORED | Promise<S | typeof NOT_STORED>,
  shareUnstored: boolean,
): Promise<R | PlainResult> {
  let ran: { value: unknown } | undefined;
  const loader = async (): Promise<S> => {
    let value: unknown;
    try {
      value = await call();
    } catch (err) {
      throw new LoaderFailure(err);
    }
    ran = { value };
    const stored = await toStored(value);
    if (stored === NOT_STORED) throw new NotCached(value);
    return stored;
  };
  try {
    return await remember(loader);
  } catch (err) {
    if (err instanceof LoaderFailure) throw err.cause;
    if (err instanceof NotCached) return new PlainResult(ran || shareUnstored ? err.value : await call());
    host.report(where, 'remember', err);
    // This call's own run already happened (the store failed afterwards): do not run it twice.
    return new PlainResult(ran ? ran.value : await call());
  }
}
