import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type OnModuleDestroy,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { defer, lastValueFrom, NEVER, type Observable } from 'rxjs';
import { parseTtl } from '../../core/ttl';
import { CacheDecoratorRuntime } from '../methods/cache-decorator.runtime';
import type { CacheMethodMetadata } from '../methods/cache-metadata.accessor';
import { NotCached, callOption } from '../methods/cache-loader.signals';
import {
  cachedCallTarget,
  NOT_STORED,
  PlainResult,
  rememberDecorated,
  runDecorated,
  type DecoratedCallHost,
} from '../methods/decorated-call';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';
import {
  addVary,
  asHttpEntry,
  captureResponse,
  entryBody,
  etagMatches,
  replayResponse,
  textOf,
  type HttpCacheEntry,
} from './http-cache.entry';
import { ExpressRouteLayers } from './express-route';
import { serveHit } from './http-cache.hit';
import { ageOf, ReadyHits } from './ready-hits';
import { RouteFacts, routeText, type HitRouteFacts } from './route-facts';
import {
  cacheControl,
  hasUnkeyedCredentials,
  httpKey,
  requestHeader,
  setResponseHeader,
  templateRoot,
  type HttpRequestLike,
  type HttpResponseLike,
  type TextMode,
} from './http-cache.platform';
import { HeaderWatch } from './leaving-headers';

/**
 * The HTTP side of the cache decorators, attached to each decorated handler by the decorators
 * themselves. GET/HEAD responses of `@Cacheable` handlers are stored (status, body, headers) and
 * replayed with `X-Cache: HIT|MISS|STALE`, an ETag and `Age`; `@CacheEvict` and `@CachePut`
 * work on every method. Outside HTTP (RPC, WebSockets) it passes calls through.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor, OnModuleDestroy {
  private static readonly logger = new Logger('CacheDecorators');
  private static warnedMissing = false;

  private readonly routes: RouteFacts;
  /** Entries of routes in text mode, ready to be sent by the hit path. */
  private readonly hits = new ReadyHits();
  /** Express routes whose hits are sent from their layer. */
  private readonly layers: ExpressRouteLayers;

  constructor(
    @Optional() @Inject(CacheDecoratorRuntime) private readonly runtime?: CacheDecoratorRuntime,
    @Optional() @Inject(ApplicationConfig) appConfig?: ApplicationConfig,
    @Optional() @Inject(HttpAdapterHost) adapterHost?: HttpAdapterHost,
  ) {
    this.routes = new RouteFacts(HttpCacheInterceptor, appConfig);
    this.layers = new ExpressRouteLayers(appConfig, adapterHost);
  }

  onModuleDestroy(): void {
    this.layers.restore();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const rt = this.runtime;
    if (!rt) {
      if (!HttpCacheInterceptor.warnedMissing) {
        HttpCacheInterceptor.warnedMissing = true;
        HttpCacheInterceptor.logger.warn(
          `${context.getClass().name} uses cache decorators but CacheModule is not visible in its module: ` +
            `import it or register it with isGlobal: true. Its routes run uncached.`,
        );
      }
      return next.handle();
    }
    const meta = rt.metadata.get(context.getClass(), context.getHandler() as (...args: never[]) => unknown);
    // A hit sent from here is the whole answer: Nest gets an observable that never emits, so it
    // neither serialises nor sends anything after it (no other interceptor sees it: `serveHit`).
    const route = this.routes.get(context.getClass(), context.getHandler());
    if (route.sse) return this.streamed(rt, context, next);
    if (meta.cacheable) {
      const http = context.switchToHttp();
      const req = http.getRequest<HttpRequestLike>();
      if (serveHit(this.hits, rt, meta, route, req, http.getResponse<HttpResponseLike>())) {
        if (route.text === 'send' && route.layer !== false) this.wrapLayer(rt, meta, route, context, req);
        return NEVER;
      }
    }
    return defer(() => this.run(rt, meta, context, next));
  }

  private async run(
    rt: DecoratedCallHost,
    meta: CacheMethodMetadata,
    context: ExecutionContext,
    next: CallHandler,
  ): Promise<unknown> {
    const req = context.switchToHttp().getRequest<HttpRequestLike>();
    const where = `${context.getClass().name}.${context.getHandler().name}`;
    // Built only when a template reads it (Express 5 parses the query string on every read).
    let root: Record<string, unknown> | undefined;
    const getRoot = () => (root ??= templateRoot(req));
    const fnArgs = [req, context];
    const handle = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    const method = req.method.toUpperCase();
    const cacheable = meta.cacheable && (method === 'GET' || method === 'HEAD') ? meta.cacheable : undefined;
    const cached = cacheable && (() => this.cached(rt, meta, cacheable, context, getRoot, handle, where));
    return runDecorated(rt, meta, meta.evict || meta.put ? getRoot() : undefined, fnArgs, where, handle, cached);
  }

  private async cached(
    rt: DecoratedCallHost,
    meta: CacheMethodMetadata,
    options: CacheableOptions,
    context: ExecutionContext,
    getRoot: () => Record<string, unknown>,
    handle: () => Promise<unknown>,
    where: string,
  ): Promise<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequestLike>();
    const res = http.getResponse<HttpResponseLike>();
    const route = this.routes.get(context.getClass(), context.getHandler());
    if (route.rawResponse) {
      rt.warnOnce(`res:${where}`, `${where} writes the response itself (@Res()/@Next()): it is not cached`);
      return handle();
    }
    const requestCc = cacheControl(req.headers['cache-control']);
    if (requestCc.has('no-store')) return handle();
    // Authorization or cookies: never share one user's response with another unless told how to key it.
    if (!options.key && hasUnkeyedCredentials(req, options.vary)) return handle();
    // What reaches the client is the body's text: store that text when nothing but Nest sees
    // what this interceptor returns (see HitRouteFacts.text).
    route.text ??= routeText(route, req, res);
    const text = route.text;
    const toText = textOf(text, res);
    const target = cachedCallTarget(rt, where, options, meta, [req, context], getRoot, () =>
      httpKey(options, req, context, route.version, getRoot),
    );
    if (target === undefined) return handle();
    const { key, cache } = target;

    let mine: { entry: HttpCacheEntry; body: unknown } | undefined;
    // The ETag this request was answered with from the cache; a loader that sees it on the response
    // is a background refresh and must not keep it for the new body.
    const replayed: { etag?: string } = {};
    // A miss answers its own request as soon as its body is known, and its entry is stored once the
    // response's headers have left clean (cookies added at writeHead count), with the response's
    // end held until then: waiters and later requests never see a session-bound response.
    let ranOwn!: () => void;
    const ownAnswer = new Promise<undefined>((resolve) => (ranOwn = () => resolve(undefined)));
    let watch: HeaderWatch | undefined;
    const toStored = async (body: unknown): Promise<HttpCacheEntry | typeof NOT_STORED> => {
      const entry = captureResponse(res, body, rt.now(), replayed.etag, toText);
      if (entry === 'stream')
        rt.warnOnce(`stream:${where}`, `${where} returned a stream: it is passed through, not cached`);
      // Not storable (stream, no-store, private, Set-Cookie...) or refused by `unless`.
      if (typeof entry === 'string' || (options.unless && callOption(options.unless, [body, req]))) return NOT_STORED;
      mine = { entry, body };
      watch = new HeaderWatch(res);
      ranOwn();
      return (await watch.leaving) === 'clean' ? entry : NOT_STORED;
    };
    const revalidate = requestCc.has('no-cache') || cacheControl(req.headers.pragma).has('no-cache');
    let flight!: Promise<HttpCacheEntry>;
    const remember = (loader: () => Promise<HttpCacheEntry>): Promise<HttpCacheEntry | undefined> => {
      flight = (async () => {
        if (revalidate) await cache.delete(key);
        return cache.remember(key, options.ttl, loader, { staleTtl: options.staleTtl, lock: options.lock });
      })();
      return Promise.race([flight, ownAnswer]);
    };
    // A request that waited on another's unstorable run gets its own response, not a copy of theirs.
    const read = await rememberDecorated(rt, where, remember, handle, toStored, false);
    if (read instanceof PlainResult) return read.value;
    const entry = read === undefined ? undefined : asHttpEntry(read, rt.now());
    addVary(res, options.vary ?? []);
    if (entry === undefined && mine !== undefined) {
      const own = mine;
      watch?.holdEndUntil(flight);
      flight.catch((err: unknown) => {
        if (!(err instanceof NotCached)) rt.report(where, 'remember', err);
      });
      setResponseHeader(res, 'X-Cache', 'MISS');
      if (route.formed) return own.body; // rendered or redirected by the framework, which sets its own ETag
      setResponseHeader(res, 'ETag', own.entry.etag);
      return this.answer(req, res, own.entry.etag, sendsText(text, own.entry, res) ? own.entry.json : own.body);
    }
    if (entry === undefined) return handle(); // not reached: ownAnswer settles only after mine is set
    replayed.etag = entry.etag;
    replayResponse(res, entry);
    const now = rt.now();
    setResponseHeader(res, 'Age', ageOf(entry, now));
    setResponseHeader(res, 'X-Cache', isStale(entry, options, now) ? 'STALE' : 'HIT');
    if (route.formed) return entryBody(entry);
    setResponseHeader(res, 'ETag', entry.etag);
    if (sendsText(text, entry, res)) return this.answer(req, res, entry.etag, entry.json);
    return this.answer(req, res, entry.etag, entryBody(entry));
  }

  /** On Express, later hits of this route are sent from its layer (express-route.ts). */
  private wrapLayer(
    rt: DecoratedCallHost,
    meta: CacheMethodMetadata,
    route: HitRouteFacts,
    context: ExecutionContext,
    req: HttpRequestLike,
  ): void {
    const hits = this.hits;
    this.layers.wrap(route, context.getClass(), context.getHandler(), req, (req, res) =>
      serveHit(hits, rt, meta, route, req, res),
    );
  }

  /**
   * A server-sent event stream goes to Nest untouched: the decorators would have to wait for it
   * to end (an endless stream never would) and could only keep its last event.
   */
  private streamed(rt: DecoratedCallHost, context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const where = `${context.getClass().name}.${context.getHandler().name}`;
    rt.warnOnce(`sse:${where}`, `${where} streams server-sent events (@Sse()): cache decorators do not apply to it`);
    return next.handle();
  }

  /** The body, or an empty 304 when the client already holds this version. */
  private answer(req: HttpRequestLike, res: HttpResponseLike, etag: string, body: unknown): unknown {
    if (!etagMatches(requestHeader(req, 'if-none-match'), etag)) return body;
    res.status(304);
    return undefined;
  }
}

/**
 * Whether `entry` is answered with its stored text (text-mode routes other than `parse`), with
 * the JSON Content-Type the framework would give an object unless the response has one.
 */
function sendsText(
  mode: TextMode | undefined,
  entry: HttpCacheEntry,
  res: HttpResponseLike,
): entry is HttpCacheEntry & { json: string } {
  if ((mode !== 'send' && mode !== 'serialize') || entry.json === undefined) return false;
  if (res.getHeader('content-type') === undefined) setResponseHeader(res, 'Content-Type', 'application/json');
  return true;
}

/** Stale when served in the `staleTtl` window (known when the route sets its own `ttl`). */
function isStale(entry: HttpCacheEntry, options: CacheableOptions, now: number): boolean {
  if (options.staleTtl === undefined || options.ttl === undefined) return false;
  return now >= entry.storedAt + parseTtl(options.ttl);
}
