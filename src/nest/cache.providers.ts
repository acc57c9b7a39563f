import { Logger, type Provider } from '@nestjs/common';
import { Cache } from '../core/cache';
import { CacheStoreNotFoundError } from '../core/cache.errors';
import { CacheManager } from '../core/cache-manager';
import type { CacheLogger } from '../core/logger';
import { createCacheManager } from '../config/create-cache-manager';
import { startTelemetry, stopTelemetry } from './cache-telemetry';
import { CACHE_MODULE_OPTIONS, type CacheModuleOptions } from './cache.module-definition';
import { getCacheToken, recordedStoreNames } from './cache.tokens';

/** Nest's Logger with context `Cache`, as the core's logger. */
export function nestCacheLogger(): CacheLogger {
  const logger = new Logger('Cache');
  return { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) };
}

/** Builds the manager, waits for stores that connect at start-up, and fails start-up clearly otherwise. */
export const cacheManagerProvider: Provider = {
  provide: CacheManager,
  inject: [CACHE_MODULE_OPTIONS],
  useFactory: async (options: CacheModuleOptions) => {
    const { telemetry, ...managerOptions } = options;
    const manager = createCacheManager({ ...managerOptions, logger: options.logger ?? nestCacheLogger() });
    try {
      await startTelemetry(manager, telemetry);
      await manager.ready();
    } catch (err) {
      stopTelemetry(manager);
      await manager.close();
      throw err;
    }
    return manager;
  },
};

/** One provider per store name: configured ones resolve to their Cache, others to a placeholder. */
export function storeProviders(names: Iterable<string>): Provider[] {
  return [...new Set([...names, ...recordedStoreNames])].map((name) => ({
    provide: getCacheToken(name),
    inject: [CacheManager],
    useFactory: (manager: CacheManager): Cache =>
      manager.hasStore(name) ? manager.store(name) : missingStore(name, manager),
  }));
}

/**
 * Stands in for a store that is injected somewhere in the process but not configured in this
 * app. The module's start-up check fails if one of this app's own classes injects it; otherwise
 * it only throws if used.
 */
function missingStore(name: string, manager: CacheManager): Cache {
  return new Proxy({} as Cache, {
    get(_target, prop) {
      // Nest probes providers for lifecycle hooks: only the Cache API itself fails.
      if (typeof prop !== 'string' || !(prop in Cache.prototype)) return undefined;
      return () => {
        throw new CacheStoreNotFoundError(name, manager.stores());
      };
    },
  });
}
