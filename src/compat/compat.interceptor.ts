import {
  Inject,
  Injectable,
  Logger,
  Optional,
  StreamableFile,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { concat, defer, finalize, from, ignoreElements, mergeMap, of, tap, type Observable } from 'rxjs';
import { CACHE_KEY_METADATA, CACHE_MANAGER, CACHE_TTL_METADATA } from './compat.constants';
import type { CacheKeyFactory, CacheTTLFactory } from './compat.decorators';
import type { CacheManagerApi } from './compat.types';

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined;
/** A leader's outcome that followers cannot use: they run their own handler. */
const NONE = Symbol('none');

/** One leader's run of the handler: its outcome, and when it settled on `clock` (0 while running). */
interface Flight {
  readonly outcome: Promise<unknown>;
  settledAt: number;
}
/**
 * Per cache manager and key, shared by every interceptor instance: the latest flight and the
 * number of cache reads in progress. The record outlives its flight while a read that began
 * before the flight settled is still out: that read may have missed the leader's write (a Redis
 * GET sent before the SET lands), and must take the leader's value rather than run the handler
 * again. Removed when no read is out and no flight runs.
 */
interface KeyFlights {
  flight: Flight | undefined;
  readers: number;
}
/** Orders read starts against flight settlements (a counter, not a time: no clock skew). */
let clock = 0;
const flightsByManager = new WeakMap<object, Map<string, KeyFlights>>();

/**
 * Drop-in for @nestjs/cache-manager's `CacheInterceptor`: caches GET responses by URL (query
 * included), or by `@CacheKey` whatever the method; `X-Cache: HIT | MISS`; fails open. Subclass it
 * and override `trackBy` (sync or async), `isRequestCacheable` or `allowedMethods` as upstream.
 * Besides: concurrent misses of one key run the handler once (followers get the leader's value,
 * marked `MISS`), the write is finished before the response is sent, nil results are not written.
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  @Optional()
  @Inject()
  protected readonly httpAdapterHost!: HttpAdapterHost;
  protected allowedMethods = ['GET'];

  constructor(
    @Inject(CACHE_MANAGER) protected readonly cacheManager: CacheManagerApi,
    protected readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const key = await this.trackBy(context);
    const ttlValueOrFactory =
      this.reflector.get<number | CacheTTLFactory | undefined>(CACHE_TTL_METADATA, context.getHandler()) ??
      this.reflector.get<number | CacheTTLFactory | undefined>(CACHE_TTL_METADATA, context.getClass()) ??
      null;
    if (!key) return next.handle();
    let byKey = flightsByManager.get(this.cacheManager);
    if (!byKey) flightsByManager.set(this.cacheManager, (byKey = new Map()));
    let record = byKey.get(key);
    if (!record) byKey.set(key, (record = { flight: undefined, readers: 0 }));
    const readFrom = ++clock;
    record.readers++;
    try {
      const value = await this.cacheManager.get(key);
      this.setHeadersWhenHttp(context, value);
      if (!isNil(value)) return of(value);
      const ttl = typeof ttlValueOrFactory === 'function' ? await ttlValueOrFactory(context) : ttlValueOrFactory;
      return this.lead(byKey, key, record, readFrom, ttl, next);
    } catch {
      return next.handle();
    } finally {
      record.readers--;
      release(byKey, key, record);
    }
  }

  /**
   * Runs the handler once per key at a time. A miss follows the running flight, or one that
   * settled after this request's read began (its write may have landed after the read); otherwise
   * it leads.
   */
  private lead(
    byKey: Map<string, KeyFlights>,
    key: string,
    record: KeyFlights,
    readFrom: number,
    ttl: number | null,
    next: CallHandler,
  ): Observable<unknown> {
    const running = record.flight;
    if (running && (running.settledAt === 0 || running.settledAt > readFrom)) {
      return from(running.outcome).pipe(mergeMap((value) => (value === NONE ? next.handle() : of(value))));
    }
    let settle!: (value: unknown) => void;
    const flight: Flight = { outcome: new Promise<unknown>((resolve) => (settle = resolve)), settledAt: 0 };
    record.flight = flight;
    const done = (value: unknown): void => {
      if (flight.settledAt !== 0) return;
      flight.settledAt = ++clock;
      settle(value);
      release(byKey, key, record);
    };
    // Nest answers with the handler's last emission: that is the value written (after the
    // stream completes, before the response is sent) and handed to the followers.
    let last: unknown = NONE;
    const write = defer(async () => {
      const response = last;
      if (response === NONE || response instanceof StreamableFile || isNil(response)) return done(NONE);
      try {
        await (isNil(ttl) ? this.cacheManager.set(key, response) : this.cacheManager.set(key, response, ttl));
      } catch (err) {
        Logger.error(`An error has occurred when inserting "key: ${key}"`, (err as Error)?.stack, 'CacheInterceptor');
      }
      done(response);
    }).pipe(ignoreElements());
    return concat(defer(() => next.handle()).pipe(tap((response: unknown) => (last = response))), write).pipe(
      // Error, completion without a value, or unsubscription: followers run their own handler.
      finalize(() => done(NONE)),
    );
  }

  protected trackBy(context: ExecutionContext): Promise<string | undefined | null> | string | undefined | null {
    const httpAdapter = this.httpAdapterHost?.httpAdapter;
    const isHttpApp = !!httpAdapter && !!httpAdapter.getRequestMethod;
    const keyOrFactory =
      this.reflector.get<string | CacheKeyFactory | undefined>(CACHE_KEY_METADATA, context.getHandler()) ?? undefined;
    if (!isHttpApp || keyOrFactory) {
      return typeof keyOrFactory === 'function' ? keyOrFactory(context) : keyOrFactory;
    }
    const request: unknown = context.getArgByIndex(0);
    if (!this.isRequestCacheable(context)) return undefined;
    return httpAdapter.getRequestUrl(request) as string;
  }

  protected isRequestCacheable(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ method: string }>();
    return this.allowedMethods.includes(req.method);
  }

  protected setHeadersWhenHttp(context: ExecutionContext, value: unknown): void {
    const httpAdapter = this.httpAdapterHost?.httpAdapter;
    if (!httpAdapter) return;
    const response: unknown = context.switchToHttp().getResponse();
    httpAdapter.setHeader(response, 'X-Cache', isNil(value) ? 'MISS' : 'HIT');
  }
}

/** Forgets a key's record once no read is out and no flight runs. */
function release(byKey: Map<string, KeyFlights>, key: string, record: KeyFlights): void {
  if (
    record.readers === 0 &&
    (record.flight === undefined || record.flight.settledAt !== 0) &&
    byKey.get(key) === record
  ) {
    byKey.delete(key);
  }
}
