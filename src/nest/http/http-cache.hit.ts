import type { Cache } from '../../core/cache';
import { SyncCacheView } from '../../core/sync-cache';
import type { TaggedCache } from '../../core/tagged-cache';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';
import type { CacheMethodMetadata } from '../methods/cache-metadata.accessor';
import type { DecoratedCallHost } from '../methods/decorated-call';
import { addVary } from './http-cache.entry';
import { headerTableSlot } from './express-direct';
import { fastifySlots } from './fastify-direct';
import {
  hasUnkeyedCredentials,
  httpKey,
  type HttpRequestLike,
  type HttpResponseLike,
  type TextMode,
} from './http-cache.platform';
import type { ReadyHits, Ready } from './ready-hits';
import { routeText, type FreshRead, type HitRouteFacts } from './route-facts';

/**
 * The hit path of routes whose entries sit in a store that answers synchronously (memory): the
 * stored response is sent from `intercept` itself (or, on Express, from the route's layer once a
 * hit was sent from there: express-route.ts), before the rest of Nest's pipeline (no
 * observable chain, no promise, no second serialisation), through the framework's own response
 * methods, so middleware and hooks that act as the response leaves (on-headers, compression,
 * Fastify `onSend`) still see it; on Fastify routes with nothing of the kind, straight to the
 * Node response as `reply.send` would write it (fastify-direct.ts). What is sent is what the
 * slower path sends for the same entry, header for header and byte for byte; everything it does
 * not handle (conditional or revalidating requests, credentials, stale entries, objects kept as
 * such, a store failure) is left to that path, which then reads and counts the entry itself.
 */

/**
 * Sends the hit of this request from `intercept`, when it can: this interceptor is the outermost
 * one of a route in text mode on a synchronous store, the request is a GET/HEAD without a
 * condition (`If-None-Match`, `If-Modified-Since`), revalidation (`Cache-Control`, `Pragma`) or
 * unkeyed credentials, and the entry is fresh. Returns whether it answered; anything else goes
 * the usual way, which reads and counts the entry itself.
 */
export function serveHit(
  hits: ReadyHits,
  host: DecoratedCallHost,
  meta: CacheMethodMetadata,
  route: HitRouteFacts,
  req: HttpRequestLike,
  res: HttpResponseLike,
): boolean {
  const options = meta.cacheable!;
  const mode = fastMode(meta, options, route, req, res);
  if (mode === undefined) return false;
  const method = req.method;
  const h = req.headers;
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (h['cache-control'] !== undefined || h.pragma !== undefined) return false;
  if (h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) return false;
  if (!options.key && hasUnkeyedCredentials(req, options.vary)) return false;
  let ready: Ready | undefined;
  try {
    const cache = host.cache(options.store);
    if (route.reader?.cache !== cache) route.reader = { cache, read: freshReader(cache) };
    const read = route.reader.read;
    if (!read) return false;
    // Key functions never take this path: the key is the request's alone.
    const key = httpKey(options, req, undefined, route.version);
    if (read(key, (entry) => (ready = hits.prepare(key, entry)) !== undefined) === undefined) return false;
  } catch {
    return false; // the usual path meets it again and reports it
  }
  addVary(res, options.vary ?? []);
  if (mode === 'serialize') route.fastify ??= fastifySlots(res, req) ?? null;
  else route.express ??= headerTableSlot(res) ?? null;
  hits.send(mode, ready!, req, res, host.now(), route.fastify ?? route.express ?? undefined);
  return true;
}

/** The route's text mode when its hits may take the hit path, else undefined. */
function fastMode(
  meta: CacheMethodMetadata,
  options: CacheableOptions,
  route: HitRouteFacts,
  req: HttpRequestLike,
  res: HttpResponseLike,
): TextMode | undefined {
  route.text ??= routeText(route, req, res);
  route.fast ??=
    !meta.evict &&
    !meta.put &&
    !route.rawResponse &&
    !options.condition &&
    typeof options.key !== 'function' &&
    (route.text === 'send' || route.text === 'serialize');
  return route.fast ? route.text : undefined;
}

/** The synchronous reader of a cache, or undefined when its store cannot answer synchronously. */
export function freshReader(cache: Cache | TaggedCache): FreshRead | undefined {
  let sync: unknown;
  try {
    sync = (cache as Partial<Pick<Cache, 'sync'>>).sync;
  } catch {
    return undefined; // CacheUnsupportedError: not a synchronous store
  }
  return sync instanceof SyncCacheView ? (key, accept) => sync.freshHit(key, accept) : undefined;
}
