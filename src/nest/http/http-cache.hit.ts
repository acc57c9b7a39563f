import type { ServerResponse } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import type { Cache } from '../../core/cache';
import { SyncCacheView } from '../../core/sync-cache';
import type { TaggedCache } from '../../core/tagged-cache';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';
import type { CacheMethodMetadata } from '../methods/cache-metadata.accessor';
import type { DecoratedCallHost } from '../methods/decorated-call';
import { addVary, headerName, type HttpCacheEntry } from './http-cache.entry';
import { headerTableSlot, sendExpressHit, type ExpressResponse } from './express-direct';
import { directHeaders, fastifySlots, type FastifySlots } from './fastify-direct';
import {
  hasUnkeyedCredentials,
  httpKey,
  textMode,
  type HttpRequestLike,
  type HttpResponseLike,
  type TextMode,
} from './http-cache.platform';

/**
 * The hit path of routes whose entries sit in a store that answers synchronously (memory): the
 * stored response is sent from `intercept` itself, before the rest of Nest's pipeline (no
 * observable chain, no promise, no second serialisation), through the framework's own response
 * methods, so middleware and hooks that act as the response leaves (on-headers, compression,
 * Fastify `onSend`) still see it; on Fastify routes with nothing of the kind, straight to the
 * Node response as `reply.send` would write it (fastify-direct.ts). What is sent is what the slower path sends for the same entry,
 * header for header and byte for byte; everything it does not handle (conditional or
 * revalidating requests, credentials, stale entries, objects kept as such, a store failure) is
 * left to that path, which then reads and counts the entry itself.
 */

/** What the interceptor knows of a route, decided at its first request. */
export interface HitRouteFacts {
  /** The controller: a handler inherited by several controllers is a route of each. */
  readonly type: object;
  /** The handler writes the response itself (`@Res()`/`@Next()`). */
  rawResponse: boolean;
  /** No other interceptor wraps this one (nothing but the framework sees what it returns). */
  outermost: boolean;
  /**
   * The handler's result is a view's locals (`@Render`): the framework renders it on every
   * response, so the entry keeps the value (never text) and the framework answers conditional
   * requests from the rendered page.
   */
  render: boolean;
  /** The handler streams server-sent events (`@Sse`): passed through, never cached. */
  sse: boolean;
  /**
   * Outermost: entries keep the body as the text the client gets (see `textMode`), and hits send
   * it as it is (`send`, `serialize`) or parsed for Express to format (`parse`).
   */
  text?: TextMode;
  /** Whether hits may be sent from `intercept` ({@link serveHit}), decided with `text`. */
  fast?: boolean;
  /** The synchronous reader of the route's cache (undefined: its store has none), per cache. */
  reader?: { cache: object; read: FreshRead | undefined };
  /** Fastify: the reply internals hits written directly use (null: none, use `reply.send`). */
  fastify?: FastifySlots | null;
  /** Express: the Node response's header table hits write directly (null: none, `setHeader`). */
  express?: symbol | null;
}

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
  context: ExecutionContext,
): boolean {
  const options = meta.cacheable!;
  const http = context.switchToHttp();
  const req = http.getRequest<HttpRequestLike>();
  const res = http.getResponse<HttpResponseLike>();
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
    const key = httpKey(options, req, context);
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

/**
 * How a route's entries keep their body (see `textMode`): as text only when nothing but the
 * framework's serialiser sees what the interceptor returns (outermost, no view to render).
 */
export function routeText(route: HitRouteFacts, req: HttpRequestLike, res: HttpResponseLike): TextMode | undefined {
  return route.outermost && !route.render ? textMode(req, res) : undefined;
}

/**
 * Reads a fresh entry that `accept` takes, counted as a `remember` hit; undefined (nothing
 * counted) otherwise.
 */
export type FreshRead = (key: string, accept: (value: unknown) => boolean) => unknown;

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

/** An entry made ready to send: what the framework would add to it, worked out once. */
export interface Ready {
  entry: Pick<HttpCacheEntry, 'etag' | 'storedAt' | 'status'> & { json: string };
  /** The stored headers, replayed as `replayResponse` does. */
  head: Array<[name: string, value: string | string[]]>;
  /**
   * The Content-Type `res.send` (Express) would give this text, charset added; on Fastify
   * `reply.send` gives JSON types the same.
   */
  contentType: string;
  /** Its byte length (`res.send` and `reply.send` set it). */
  contentLength: string;
  bytes: number;
  /** Fastify: the stored Content-Type a direct write may replace with `contentType` (null: none may). */
  fastifyType: string | undefined | null;
}

/** The `Age` header of an entry at `now` (whole seconds since it was stored). */
export function ageOf(entry: Pick<HttpCacheEntry, 'storedAt'>, now: number): string {
  return String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
}

/** At most this many entries are kept ready; the oldest is dropped to make room. */
const READY_MAX = 1000;

/** The Fastify reply methods a hit uses. */
interface FastifyReply extends HttpResponseLike {
  raw: ServerResponse;
  header(name: string, value: number | string | string[]): unknown;
  send(body: string): unknown;
}

/** Answers hits from entries kept as text; one per interceptor (per app). */
export class ReadyHits {
  private readonly ready = new Map<string, Ready>();

  /** `entry` (read under `key`) made ready to send, or undefined when it cannot be sent from here. */
  prepare(key: string, entry: unknown): Ready | undefined {
    return isTextEntry(entry) ? this.prepareText(key, entry) : undefined;
  }

  /**
   * Sends an entry {@link prepare} made ready as the response to `req`; `slots` are the Fastify
   * reply's (fastify-direct.ts) or the symbol of the Express response's header table
   * (express-direct.ts).
   */
  send(
    mode: TextMode,
    ready: Ready,
    req: HttpRequestLike,
    res: HttpResponseLike,
    now: number,
    slots?: FastifySlots | symbol,
  ): void {
    const { entry } = ready;
    const age = ageOf(entry, now);
    if (mode === 'send') {
      sendExpressHit(res as ExpressResponse, req.method, ready, age, typeof slots === 'symbol' ? slots : undefined);
      return;
    }
    const reply = res as FastifyReply;
    reply.status(entry.status);
    const direct = typeof slots === 'object' && directHeaders(slots, { reply, raw: reply.raw, req });
    if (direct) {
      // What `reply.header` does for these names (stored ones are lower case, none is Set-Cookie).
      for (const [name, value] of ready.head)
        if ((direct[name] ?? reply.raw.getHeader(name)) !== value) direct[name] = value;
      direct.age = age;
      direct['x-cache'] = 'HIT';
      direct.etag = entry.etag;
    } else {
      for (const [name, value] of ready.head) if (reply.getHeader(name) !== value) reply.header(name, value);
      reply.header('Age', age);
      reply.header('X-Cache', 'HIT');
      reply.header('ETag', entry.etag);
    }
    const type = reply.getHeader('content-type');
    if (direct && ready.fastifyType !== null && type === ready.fastifyType) {
      // The rest of `reply.send` → `onSendEnd` for a string payload.
      direct['content-type'] = ready.contentType;
      const length = direct['content-length'];
      if (!length || (req.method !== 'HEAD' && Number(length) !== ready.bytes))
        direct['content-length'] = ready.contentLength;
      reply.raw.writeHead(entry.status, direct);
      reply.raw.end(entry.json);
      return;
    }
    if (type === undefined) reply.header('Content-Type', 'application/json');
    reply.send(entry.json);
  }

  private prepareText(key: string, entry: TextEntry): Ready | undefined {
    const known = this.ready.get(key);
    if (
      known !== undefined &&
      known.entry.etag === entry.etag &&
      known.entry.storedAt === entry.storedAt &&
      known.entry.status === entry.status &&
      known.entry.json === entry.json
    )
      return known;
    const head = Object.entries(entry.headers).map(([stored, value]): [string, string | string[]] => [
      headerName(stored),
      value,
    ]);
    const stored = entry.headers['content-type'];
    const contentType = withUtf8(typeof stored === 'string' ? stored : 'application/json');
    if (contentType === undefined) return undefined;
    const { etag, storedAt, status, json } = entry;
    const bytes = Buffer.byteLength(json);
    // Fastify adds the charset to JSON types only; others (and lists) keep `reply.send`.
    const fastifyType =
      stored === undefined || (typeof stored === 'string' && /json/.test(contentType)) ? stored : null;
    const ready: Ready = {
      entry: { etag, storedAt, status, json },
      head,
      contentType,
      contentLength: String(bytes),
      bytes,
      fastifyType,
    };
    if (known === undefined && this.ready.size >= READY_MAX) this.ready.delete(this.ready.keys().next().value!);
    this.ready.set(key, ready);
    return ready;
  }
}

type TextEntry = HttpCacheEntry & { json: string };

function isTextEntry(entry: unknown): entry is TextEntry {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Partial<HttpCacheEntry>;
  return (
    typeof e.json === 'string' &&
    typeof e.etag === 'string' &&
    typeof e.status === 'number' &&
    typeof e.storedAt === 'number' &&
    typeof e.headers === 'object' &&
    e.headers !== null
  );
}

/** A media type without parameters: what `res.send` gives `; charset=utf-8` as such. */
const BARE_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The Content-Type Express's `res.send` writes for a text body under `type` (it parses the type,
 * sets `charset=utf-8` and formats it again), for types without parameters; undefined for
 * others, whose hits take the slower path (Express formats them there).
 */
function withUtf8(type: string): string | undefined {
  const bare = type.trim();
  return BARE_TYPE.test(bare) ? `${bare.toLowerCase()}; charset=utf-8` : undefined;
}
