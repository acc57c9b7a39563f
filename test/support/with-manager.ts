import { createCacheManager, type CacheManager, type CacheManagerOptions } from '../../src';

/** A logger that keeps a test's expected store failures off the console. */
export const quiet = { warn: () => undefined, error: () => undefined };

/**
 * Runs `fn` with a manager built from `options` (quiet unless they name a logger), once every
 * store is ready; the manager is closed afterwards, whatever `fn` did.
 */
export async function withManager<T>(options: CacheManagerOptions, fn: (m: CacheManager) => Promise<T>): Promise<T> {
  const manager = createCacheManager({ logger: quiet, ...options });
  try {
    await manager.ready();
    return await fn(manager);
  } finally {
    await manager.close();
  }
}
