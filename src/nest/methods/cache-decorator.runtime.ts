import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from '../../core/cache';
import type { TaggedCache } from '../../core/tagged-cache';
import { CacheManager } from '../../core/cache-manager';
import { BurstLogger } from '../../core/logger';
import type { Ttl } from '../../core/ttl';
import { ORIGINAL_METHOD } from '../cache-decorators.constants';
import { CacheMetadataAccessor, type CacheMethodMetadata } from './cache-metadata.accessor';
import type { CacheEvictOptions } from '../decorators/cache-evict.decorator';
import { renderTemplate, resolveKey, type CacheKeyOption } from '../keys/cache-key';
import { bindInstance, unbindInstance, type CacheMethodBinding, type CacheMethodCarrier } from './cache-trampoline';
import { invokeProviderMethod } from './method-cache.invoker';

/** Counters of the decorators of one app. */
export interface CacheDecoratorStats {
  /** Cache failures the decorators absorbed (the method ran uncached or eviction was skipped). */
  errors: number;
}

/**
 * One app's side of the decorators: its CacheManager, the instances bound to it, the error
 * counter and one-time warnings. Provided by `CacheModule`; used by the explorer (provider
 * methods) and by `HttpCacheInterceptor` (controller handlers).
 */
@Injectable()
export class CacheDecoratorRuntime implements CacheMethodBinding, OnApplicationShutdown {
  readonly metadata = new CacheMetadataAccessor();
  readonly logger = new Logger('CacheDecorators');
  private readonly errorLog = new BurstLogger(this.logger, () => Date.now());
  private readonly bound = new Set<object>();
  private readonly controllers = new WeakSet<object>();
  private readonly warned = new Set<string>();
  private errorCount = 0;

  constructor(@Inject(CacheManager) readonly manager: CacheManager) {}

  /** Binds an instance of this app; a controller instance runs its methods as they are (HTTP is cached by the interceptor). */
  bind(instance: object, controller: boolean): void {
    if (controller) this.controllers.add(instance);
    const previous = bindInstance(instance, this);
    if (previous && previous !== this) {
      this.warnOnce(
        `shared:${instance.constructor.name}`,
        `An instance of ${instance.constructor.name} is part of two Nest apps; its decorated methods now use the caches of the app started last`,
      );
    }
    this.bound.add(instance);
  }

  invoke(instance: object, method: string, carrier: CacheMethodCarrier, args: unknown[]): unknown {
    if (this.controllers.has(instance)) return carrier[ORIGINAL_METHOD].apply(instance, args);
    return invokeProviderMethod(this, instance, method, carrier, args);
  }

  /** The cache of `store` (default store when omitted), tagged when `tags` is non-empty. */
  cache(store: string | undefined, tags?: string[]): Cache | TaggedCache {
    const cache = this.manager.store(store);
    return tags?.length ? cache.tags(tags) : cache;
  }

  /** Renders tag templates for one call. */
  renderTags(tags: readonly string[] | undefined, root: unknown): string[] | undefined {
    return tags?.map((t) => renderTemplate(t, root));
  }

  /**
   * The order every decorated call follows, for providers and HTTP handlers alike: evictions
   * before (if asked), then the cached call or the plain call plus `@CachePut`, then evictions after.
   * @param cached the `@Cacheable` path, or undefined when this call is not to be cached
   */
  async runDecorated(
    meta: CacheMethodMetadata,
    root: unknown,
    fnArgs: readonly unknown[],
    where: string,
    call: () => Promise<unknown>,
    cached: (() => Promise<unknown>) | undefined,
  ): Promise<unknown> {
    if (meta.evict?.beforeInvocation) await this.evict(meta.evict, root, fnArgs, where);
    let result: unknown;
    if (cached) {
      result = await cached();
    } else {
      result = await call();
      if (meta.put) await this.put(meta.put, meta.tags, result, root, fnArgs, where);
    }
    if (meta.evict && !meta.evict.beforeInvocation) await this.evict(meta.evict, root, fnArgs, where);
    return result;
  }

  /** Evicts per `@CacheEvict`; failures are logged and counted, never thrown. */
  async evict(options: CacheEvictOptions, root: unknown, fnArgs: readonly unknown[], where: string): Promise<void> {
    try {
      const cache = this.manager.store(options.store);
      const tasks: Promise<unknown>[] = [];
      if (options.allEntries) tasks.push(cache.clear());
      if (options.keys?.length) tasks.push(cache.deleteMany(options.keys.map((k) => resolveKey(k, root, fnArgs))));
      if (options.tags?.length) tasks.push(cache.tags(options.tags.map((t) => renderTemplate(t, root))).flush());
      await Promise.all(tasks);
    } catch (err) {
      this.report(where, 'evict', err);
    }
  }

  /** Stores a value per `@CachePut`; failures are logged and counted, never thrown. */
  async put(
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
      await this.cache(options.store, this.renderTags(tags, root)).set(key, value, options.ttl);
    } catch (err) {
      this.report(where, 'put', err);
    }
  }

  /** Logs (once per burst) and counts a failure the decorators absorbed. */
  report(where: string, operation: string, err: unknown): void {
    this.errorCount++;
    const message = err instanceof Error ? err.message : String(err);
    this.errorLog.error(`${where}: cache ${operation} failed, running uncached: ${message}`);
  }

  /** Logs a warning once per id for the life of this app. */
  warnOnce(id: string, message: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.logger.warn(message);
  }

  stats(): CacheDecoratorStats {
    return { errors: this.errorCount };
  }

  onApplicationShutdown(): void {
    for (const instance of this.bound) unbindInstance(instance, this);
    this.bound.clear();
  }
}
