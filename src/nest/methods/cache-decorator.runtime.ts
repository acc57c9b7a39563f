import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { systemClock, type Clock } from '../../core/clock';
import type { Cache } from '../../core/cache';
import type { TaggedCache } from '../../core/tagged-cache';
import { CacheManager } from '../../core/cache-manager';
import { BurstLogger } from '../../core/logger';
import { CACHE_MODULE_OPTIONS, type CacheModuleOptions } from '../cache.module-definition';
import { CacheMetadataAccessor } from './cache-metadata.accessor';
import { bindInstance, unbindInstance, type CacheMethodBinding } from './cache-trampoline';
import type { DecoratedCallHost } from './decorated-call';

/** Counters of the decorators of one app. */
export interface CacheDecoratorStats {
  /** Cache failures the decorators absorbed (the method ran uncached or eviction was skipped). */
  errors: number;
}

/**
 * One app's side of the decorators: its CacheManager, the instances bound to it, the error
 * counter and one-time warnings. Provided by `CacheModule`; the explorer binds instances to it,
 * and the provider invoker and `HttpCacheInterceptor` run their calls against it as a
 * {@link DecoratedCallHost} (decorated-call.ts), without knowing this class.
 */
@Injectable()
export class CacheDecoratorRuntime implements DecoratedCallHost, OnApplicationShutdown {
  readonly metadata = new CacheMetadataAccessor();
  readonly logger = new Logger('CacheDecorators');
  private readonly errorLog = new BurstLogger(this.logger, () => Date.now());
  /** Instances of this app and what runs their decorated methods. */
  private readonly bound = new Map<object, CacheMethodBinding>();
  private readonly ownBindings = new WeakSet<CacheMethodBinding>();
  private readonly warned = new Set<string>();
  private errorCount = 0;

  private readonly clock: Clock;

  constructor(
    @Inject(CacheManager) readonly manager: CacheManager,
    @Optional() @Inject(CACHE_MODULE_OPTIONS) options?: Pick<CacheModuleOptions, 'clock'>,
  ) {
    this.clock = options?.clock ?? systemClock;
  }

  /** The time of this app's caches (the module's `clock`), epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /**
   * Binds an instance of this app to `binding`, which runs its decorated methods (the explorer
   * picks the provider invoker or the controller pass-through).
   */
  bind(instance: object, binding: CacheMethodBinding): void {
    const previous = bindInstance(instance, binding);
    if (previous && previous !== binding && !this.ownBindings.has(previous)) {
      this.warnOnce(
        `shared:${instance.constructor.name}`,
        `An instance of ${instance.constructor.name} is part of two Nest apps; its decorated methods now use the caches of the app started last`,
      );
    }
    this.ownBindings.add(binding);
    this.bound.set(instance, binding);
  }

  /** The cache of `store` (default store when omitted), tagged when `tags` is non-empty. */
  cache(store: string | undefined, tags?: string[]): Cache | TaggedCache {
    const cache = this.manager.store(store);
    return tags?.length ? cache.tags(tags) : cache;
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
    for (const [instance, binding] of this.bound) unbindInstance(instance, binding);
    this.bound.clear();
  }
}
