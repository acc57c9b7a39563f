import { VersioningType, type ExecutionContext } from '@nestjs/common';
import { GUARDS_METADATA, HEADERS_METADATA, HOST_METADATA } from '@nestjs/common/constants';
import type { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { HttpRequestLike, HttpResponseLike } from './http-cache.platform';
import type { HitRouteFacts } from './route-facts';

/**
 * Express: once a route's hit was sent from `intercept`, later hits of the route are sent from
 * the route's Express layer, before Nest's route handler runs: no execution context, no guard or
 * interceptor chain, no promise. The layer's handler is wrapped so that a request it cannot
 * answer (a miss, a condition, a stale entry: anything `serveHit` declines) goes to Nest's
 * handler as before, which then takes the usual path. What is sent is what `intercept` sends.
 *
 * Only where skipping Nest's handler skips nothing a request could observe: no guard anywhere
 * (global, controller, method), no interceptor outside the cache's (`outermost`), no host filter
 * (`@Controller({ host })`), no versioning but URI versioning (Nest picks the version inside the
 * handler, and another version of the route would be answered from this one's entry), no
 * `onRouteTriggered` callback on the adapter, no request-scoped controller (each
 * request builds its own), no `@Header()` with a function value (run per response), no `@Sse`,
 * `@Render`, `@Redirect`, `@Res` or `@Next` (which never take the hit path), and the route's
 * layer is Nest's own (named `Controller.method`, the only layer of its method on the route).
 * `restore()` (the interceptor's `onModuleDestroy`) puts Nest's handlers back.
 */

/** An Express route layer's handler: `(req, res, next)`. */
type LayerHandle = (req: unknown, res: unknown, next: unknown) => unknown;

interface ExpressLayer {
  method?: string;
  handle: LayerHandle;
}

/** The Express `Route` the router sets on `req.route` while it dispatches to it. */
interface ExpressRoute {
  stack: ExpressLayer[];
  methods?: Record<string, boolean | undefined>;
}

/** Sends the hit of a request if it can (`serveHit` bound to one route); whether it did. */
export type LayerHit = (req: HttpRequestLike, res: HttpResponseLike) => boolean;

type Controller = ReturnType<ExecutionContext['getClass']>;
type Handler = ReturnType<ExecutionContext['getHandler']>;

export class ExpressRouteLayers {
  private readonly wrapped: Array<{ layer: ExpressLayer; original: LayerHandle; wrapper: LayerHandle }> = [];
  private readonly wrappers = new WeakSet<LayerHandle>();

  constructor(
    private readonly appConfig: ApplicationConfig | undefined,
    private readonly adapterHost: HttpAdapterHost | undefined,
  ) {}

  /**
   * Called after `intercept` sent a hit of `route` on Express: wraps the route's layer when it
   * may (decided once per route; a route of several paths has a layer per path, each wrapped at
   * its own first hit).
   */
  wrap(route: HitRouteFacts, type: Controller, handler: Handler, req: HttpRequestLike, hit: LayerHit): void {
    route.layer ??= this.mayWrap(type, handler, req);
    if (!route.layer) return;
    const layer = nestLayer(req, `${type.name}.${handler.name}`);
    if (layer === undefined || this.wrappers.has(layer.handle)) return;
    const original = layer.handle;
    const wrapper = (req: unknown, res: unknown, next: unknown): unknown => {
      try {
        if (hit(req as HttpRequestLike, res as HttpResponseLike)) return undefined;
      } catch (err) {
        // Nothing sent yet: Nest's handler answers (and meets the error again, if it is the store's).
        if ((res as { headersSent?: boolean }).headersSent) throw err;
      }
      return original(req, res, next);
    };
    Object.defineProperty(wrapper, 'name', { configurable: true, value: original.name });
    layer.handle = wrapper;
    this.wrappers.add(wrapper);
    this.wrapped.push({ layer, original, wrapper });
  }

  /** Nest's handlers back on every layer wrapped here. */
  restore(): void {
    for (const { layer, original, wrapper } of this.wrapped) if (layer.handle === wrapper) layer.handle = original;
    this.wrapped.length = 0;
  }

  private mayWrap(type: Controller, handler: Handler, req: HttpRequestLike): boolean {
    const config = this.appConfig;
    const adapter = this.adapterHost?.httpAdapter as { getOnRouteTriggered?(): unknown } | undefined;
    if (config === undefined || adapter === undefined || adapter.getOnRouteTriggered?.() !== undefined) return false;
    if (config.getGlobalGuards().length || config.getGlobalRequestGuards().length) return false;
    const versioning = config.getVersioning();
    if (versioning !== undefined && versioning.type !== VersioningType.URI) return false;
    if (has(GUARDS_METADATA, type) || has(GUARDS_METADATA, handler)) return false;
    if (Reflect.getMetadata(HOST_METADATA, type) !== undefined) return false;
    const headers = (Reflect.getMetadata(HEADERS_METADATA, handler) ?? []) as Array<{ value?: unknown }>;
    if (headers.some((h) => typeof h.value === 'function')) return false;
    // Nest's request-scoped handlers mark the request with their context id before calling the route.
    return !Object.getOwnPropertySymbols(req).some((s) => s.description === 'REQUEST_CONTEXT_ID');
  }
}

function has(metadataKey: string, target: object): boolean {
  return ((Reflect.getMetadata(metadataKey, target) ?? []) as unknown[]).length > 0;
}

/** The layer of `req.route` Nest registered for this request's method, if it is the only one. */
function nestLayer(req: HttpRequestLike, name: string): ExpressLayer | undefined {
  const route = (req as { route?: Partial<ExpressRoute> }).route;
  if (route === undefined || !Array.isArray(route.stack)) return undefined;
  let method = req.method.toLowerCase();
  if (method === 'head' && !route.methods?.head) method = 'get';
  const layers = route.stack.filter((layer) => layer.method === method);
  const layer = layers.length === 1 ? layers[0] : undefined;
  if (layer === undefined || typeof layer.handle !== 'function' || layer.handle.length > 3) return undefined;
  return layer.handle.name === name ? layer : undefined;
}
