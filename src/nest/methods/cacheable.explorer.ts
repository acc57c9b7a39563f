import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { CacheStoreNotFoundError } from '../../core/cache.errors';
import { CacheDecoratorRuntime } from './cache-decorator.runtime';
import { isCacheMethod } from './cache-trampoline';

/**
 * Binds every instance of this app that has decorated methods to this app's
 * {@link CacheDecoratorRuntime}, and checks at start-up that the stores they name exist.
 * Request-scoped providers cannot be bound (their instances are made per request): they are
 * reported and run uncached.
 */
@Injectable()
export class CacheableExplorer implements OnModuleInit {
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
    for (const name of methods) this.checkStores(type, name, proto[name] as (...args: never[]) => unknown);
    const instances = wrapper.isTransient
      ? wrapper.getStaticTransientInstances().map((i) => i?.instance as unknown)
      : [instance];
    for (const each of instances) if (typeof each === 'object' && each !== null) this.runtime.bind(each, controller);
  }

  private checkStores(type: object, method: string, carrier: (...args: never[]) => unknown): void {
    const meta = this.runtime.metadata.get(type, carrier);
    const manager = this.runtime.manager;
    for (const store of [meta.cacheable?.store, meta.put?.store, meta.evict?.store]) {
      if (store === undefined || manager.hasStore(store)) continue;
      const err = new CacheStoreNotFoundError(store, manager.stores());
      err.message = `${(type as { name: string }).name}.${method}: ${err.message}`;
      throw err;
    }
  }
}
