import { VERSION_NEUTRAL, VersioningType, type ExecutionContext } from '@nestjs/common';
import {
  INTERCEPTORS_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  SSE_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants';
import type { ApplicationConfig } from '@nestjs/core';
import type { FastifySlots } from './fastify-direct';
import {
  textMode,
  usesRawResponse,
  type HttpRequestLike,
  type HttpResponseLike,
  type TextMode,
} from './http-cache.platform';

/**
 * Reads a fresh entry that `accept` takes, counted as a `remember` hit; undefined (nothing
 * counted) otherwise.
 */
export type FreshRead = (key: string, accept: (value: unknown) => boolean) => unknown;

/** What the interceptor knows of a route, decided at its first request. */
export interface HitRouteFacts {
  /** The controller: a handler inherited by several controllers is a route of each. */
  readonly type: object;
  /** The handler writes the response itself (`@Res()`/`@Next()`). */
  rawResponse: boolean;
  /** No other interceptor wraps this one (nothing but the framework sees what it returns). */
  outermost: boolean;
  /**
   * The framework makes the response from the handler's result on every request: a view's
   * locals (`@Render`) or a redirect (`@Redirect`, whose result may name the URL). The entry
   * keeps the value (never text) and the framework answers conditional requests itself.
   */
  formed: boolean;
  /** The handler streams server-sent events (`@Sse`): passed through, never cached. */
  sse: boolean;
  /**
   * The route's version under header, media-type or custom versioning, part of its default key:
   * versions of one path are one URL but different routes (under URI versioning the path differs).
   */
  version: string | undefined;
  /**
   * Outermost: entries keep the body as the text the client gets (see `textMode`), and hits send
   * it as it is (`send`, `serialize`) or parsed for Express to format (`parse`).
   */
  text?: TextMode;
  /** Whether hits may be sent from `intercept` (`serveHit`), decided with `text`. */
  fast?: boolean;
  /** The synchronous reader of the route's cache (undefined: its store has none), per cache. */
  reader?: { cache: object; read: FreshRead | undefined };
  /** Fastify: the reply internals hits written directly use (null: none, use `reply.send`). */
  fastify?: FastifySlots | null;
  /** Express: the Node response's header table hits write directly (null: none, `setHeader`). */
  express?: symbol | null;
  /** Express: whether hits may be sent from the route's layer (express-route.ts), once decided. */
  layer?: boolean;
}

type Controller = ReturnType<ExecutionContext['getClass']>;
type Handler = ReturnType<ExecutionContext['getHandler']>;

/** The facts of every route one interceptor has seen. */
export class RouteFacts {
  /** Facts of each decorated route that do not change between requests. */
  private readonly routes = new WeakMap<object, HitRouteFacts>();
  /** Handler → controller → facts, for the controllers after the first of an inherited handler. */
  private readonly inheritedRoutes = new WeakMap<object, WeakMap<object, HitRouteFacts>>();

  /**
   * @param interceptor the interceptor class whose facts these are (it is outermost when it is the
   * first of a method's interceptors)
   */
  constructor(
    private readonly interceptor: object,
    private readonly appConfig: ApplicationConfig | undefined,
  ) {}

  get(type: Controller, handler: Handler): HitRouteFacts {
    const facts = this.routes.get(handler);
    return facts !== undefined && facts.type === type ? facts : this.routeOf(type, handler, facts);
  }

  /**
   * The facts of a route seen for the first time. A handler inherited by several controllers is
   * one function but several routes (each controller has its own interceptors): the first
   * controller's facts sit in {@link routes}, the others' in {@link inheritedRoutes}.
   */
  private routeOf(type: Controller, handler: Handler, first: HitRouteFacts | undefined): HitRouteFacts {
    let byType = first === undefined ? undefined : this.inheritedRoutes.get(handler);
    let facts = byType?.get(type);
    if (facts === undefined) {
      facts = {
        type,
        rawResponse: usesRawResponse(type, handler.name),
        outermost: this.isOutermost(type, handler),
        formed:
          Reflect.getMetadata(RENDER_METADATA, handler) !== undefined ||
          Reflect.getMetadata(REDIRECT_METADATA, handler) !== undefined,
        sse: Reflect.getMetadata(SSE_METADATA, handler) === true,
        version: this.versionOf(type, handler),
      };
      if (first === undefined) this.routes.set(handler, facts);
      else {
        if (byType === undefined) this.inheritedRoutes.set(handler, (byType = new WeakMap()));
        byType.set(type, facts);
      }
    }
    return facts;
  }

  /** The version Nest serves the route as (method's, controller's or the default), as text. */
  private versionOf(type: object, handler: object): string | undefined {
    const versioning = this.appConfig?.getVersioning();
    if (versioning === undefined || versioning.type === VersioningType.URI) return undefined;
    const version = (Reflect.getMetadata(VERSION_METADATA, handler) ??
      Reflect.getMetadata(VERSION_METADATA, type) ??
      versioning.defaultVersion) as string | symbol | Array<string | symbol> | undefined;
    if (version === undefined) return undefined;
    const text = (v: string | symbol) => (v === VERSION_NEUTRAL ? 'neutral' : String(v));
    return Array.isArray(version) ? version.map(text).join(',') : text(version);
  }

  /**
   * Whether the interceptor is the first one of the route, so nothing but Nest sees what it
   * returns: no global interceptor, none on the controller, and first on the method.
   */
  private isOutermost(type: object, handler: object): boolean {
    const config = this.appConfig;
    if (!config || config.getGlobalInterceptors().length || config.getGlobalRequestInterceptors().length) return false;
    const onClass = (Reflect.getMetadata(INTERCEPTORS_METADATA, type) ?? []) as unknown[];
    const onMethod = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
    return onClass.length === 0 && onMethod[0] === this.interceptor;
  }
}

/**
 * How a route's entries keep their body (see `textMode`): as text only when nothing but the
 * framework's serialiser sees what the interceptor returns (outermost, no view or redirect).
 */
export function routeText(route: HitRouteFacts, req: HttpRequestLike, res: HttpResponseLike): TextMode | undefined {
  return route.outermost && !route.formed ? textMode(req, res) : undefined;
}
