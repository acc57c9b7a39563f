import { Inject, Injectable, RequestMethod, type OnModuleInit } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { CacheStoreNotFoundError } from '../../core/cache.errors';
import { ORIGINAL_METHOD } from '../cache-decorators.constants';
import { CacheDecoratorRuntime } from './cache-decorator.runtime';
import { isCacheMethod, type CacheMethodBinding } from './cache-trampoline';
import { invokeProviderMethod } from './method-cache.invoker';
import { withMethodLock } from './method-lock';

/**
 * Binds every instance of this app that has decorated methods to this app's
 * {@link CacheDecoratorRuntime}, and checks at start-up that the stores they name exist.
 * Request-scoped providers cannot be bound (their instances are made per request): they are
 * reported and run uncached.
 */
@Injectable()
export class CacheableExplorer implements OnModuleInit {
  /** Provider methods run through the invoker, with this app's runtime as their host. */
  private readonly providerCalls: CacheMethodBinding = {
    invoke: (instance, method, carrier, args) => invokeProviderMethod(this.runtime, instance, method, carrier, args),
  };
  /**
   * Controller HTTP routes run as they are: HTTP caching happens in the interceptor. Other
   * controller methods (`@MessagePattern`, `@EventPattern`, helpers) are cached like provider
   * methods, since the interceptor passes non-HTTP calls through.
   */
  private readonly handlerCalls: CacheMethodBinding = {
    invoke: (instance, method, carrier, args) => {
      if (!isHttpRoute(carrier)) return invokeProviderMethod(this.runtime, instance, method, carrier, args);
      const run = () => carrier[ORIGINAL_METHOD].apply(instance, args);
      // @CacheLock on a route: the handler runs holding the lock (HTTP caching stays the interceptor's).
      const lock = this.runtime.metadata.get(instance.constructor, carrier).lock;
      return lock ? withMethodLock(this.runtime, lock, args, async () => run()) : run();
    },
  };

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(CacheDecoratorRuntime) private readonly runtime: CacheDecoratorRuntime,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) this.explore(wrapper, true);
    for (const wrapper of this.discovery.getProviders()) this.explore(wrapper, false);
  }

  private explore(wrapper: InstanceWrapper, controller: boolean): void {
    const instance: unknown = wrapper.instance;
    if (wrapper.isAlias || typeof instance !== 'object' || instance === null) return;
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
    if (!proto) return;
    const methods = this.scanner.getAllMethodNames(proto).filter((name) => isCacheMethod(proto[name]));
    if (methods.length === 0) return;
    const type = instance.constructor;
    if (!wrapper.isDependencyTreeStatic()) {
      this.runtime.warnOnce(
        `scope:${type.name}`,
        `${type.name} is request-scoped: its cache decorators (${methods.join(', ')}) are ignored and its methods run uncached. ` +
          `Move the cached methods to a singleton provider.`,
      );
      return;
    }
    for (const name of methods) {
      const carrier = proto[name] as (...args: never[]) => unknown;
      this.checkStores(type, name, carrier);
      if (controller) this.checkRouteMethod(type, name, carrier);
    }
    const instances = wrapper.isTransient
      ? wrapper.getStaticTransientInstances().map((i) => i?.instance as unknown)
      : [instance];
    const binding = controller ? this.handlerCalls : this.providerCalls;
    for (const each of instances) if (typeof each === 'object' && each !== null) this.runtime.bind(each, binding);
  }

  /**
   * `@Cacheable` caches HTTP responses of GET and HEAD only (a POST or PUT changes something and
   * its response is not the same for the next caller): on another route method it would do
   * nothing, so say so once at start-up rather than let it be found in production.
   */
  private checkRouteMethod(type: { name: string }, method: string, carrier: (...args: never[]) => unknown): void {
    if (!this.runtime.metadata.get(type, carrier).cacheable) return;
    const verb = Reflect.getMetadata(METHOD_METADATA, carrier) as RequestMethod | undefined;
    // Not an HTTP route (RPC, WebSocket...), or one that also answers GET (@All).
    if (verb === undefined || verb === RequestMethod.GET || verb === RequestMethod.HEAD || verb === RequestMethod.ALL) {
      return;
    }
    this.runtime.warnOnce(
      `verb:${type.name}.${method}`,
      `${type.name}.${method} is a ${RequestMethod[verb]} route: @Cacheable caches GET and HEAD responses only, ` +
        `so it does nothing here. Remove it, or use @CacheEvict / @CachePut to keep the cache in step with this write.`,
    );
  }

  private checkStores(type: object, method: string, carrier: (...args: never[]) => unknown): void {
    const meta = this.runtime.metadata.get(type, carrier);
    const manager = this.runtime.manager;
    for (const store of [meta.cacheable?.store, meta.put?.store, meta.evict?.store, meta.lock?.store]) {
      if (store === undefined || manager.hasStore(store)) continue;
      throw new CacheStoreNotFoundError(store, manager.stores(), `${(type as { name: string }).name}.${method}`);
    }
  }
}

const routes = new WeakMap<object, boolean>();

/** Whether a controller method is an HTTP route (`@Get`, `@Post`...: they set the path). */
function isHttpRoute(carrier: object): boolean {
  let route = routes.get(carrier);
  if (route === undefined) routes.set(carrier, (route = Reflect.getMetadata(PATH_METADATA, carrier) !== undefined));
  return route;
}
