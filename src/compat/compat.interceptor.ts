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
import { defer, finalize, from, mergeMap, of, type Observable } from 'rxjs';
import { CACHE_KEY_METADATA, CACHE_MANAGER, CACHE_TTL_METADATA } from './compat.constants';
import type { CacheKeyFactory, CacheTTLFactory } from './compat.decorators';
import type { CacheManagerApi } from './compat.types';

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined;
/** A leader's outcome that followers cannot use: they run their own handler. */
const NONE = Symbol('none');
/** Requests in flight per cache manager and key, shared by every interceptor instance. */
const inFlight = new WeakMap<object, Map<string, Promise<unknown>>>();

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
    try {
      const value = await this.cacheManager.get(key);
      this.setHeadersWhenHttp(context, value);
      if (!isNil(value)) return of(value);
      const ttl = typeof ttlValueOrFactory === 'function' ? await ttlValueOrFactory(context) : ttlValueOrFactory;
      return this.lead(key, ttl, next);
    } catch {
      return next.handle();
    }
  }

  /** Runs the handler once per key at a time; later callers wait for its value. */
  private lead(key: string, ttl: number | null, next: CallHandler): Observable<unknown> {
    let flights = inFlight.get(this.cacheManager);
    if (!flights) inFlight.set(this.cacheManager, (flights = new Map()));
    const running = flights.get(key);
    if (running) {
      return from(running).pipe(mergeMap((value) => (value === NONE ? next.handle() : of(value))));
    }
    let settle!: (value: unknown) => void;
    const flight = new Promise<unknown>((resolve) => (settle = resolve));
    flights.set(key, flight);
    const done = (value: unknown): void => {
      if (flights.get(key) === flight) flights.delete(key);
      settle(value);
    };
    let first = true;
    return defer(() => next.handle()).pipe(
      mergeMap(async (response: unknown) => {
        if (!first) return response;
        first = false;
        if (response instanceof StreamableFile || isNil(response)) {
          done(NONE);
          return response;
        }
        try {
          await (isNil(ttl) ? this.cacheManager.set(key, response) : this.cacheManager.set(key, response, ttl));
        } catch (err) {
          Logger.error(`An error has occurred when inserting "key: ${key}"`, (err as Error)?.stack, 'CacheInterceptor');
        }
        done(response);
        return response;
      }),
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
