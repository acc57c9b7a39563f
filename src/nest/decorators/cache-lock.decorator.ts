import { CacheArgumentError } from '../../core/cache.errors';
import { CACHE_LOCK_METADATA } from '../cache-decorators.constants';
import type { CacheLockName, CacheLockOptions } from '../interfaces/cache-lock-options.interface';
import { checkDecoratorOptions } from './decorator-options';
import { decorateCacheMethod } from './decorate-cache-method';
import { checkDecoratorTtls } from './decorator-ttls';

export type { CacheLockName, CacheLockOptions } from '../interfaces/cache-lock-options.interface';

/**
 * The method never runs twice at once across every instance sharing the store (Laravel's
 * `withoutOverlapping`): each call holds `cache.lock(name)` while it runs. With `wait`, a call
 * waits up to that long for the running one; otherwise it rejects with `CacheLockTimeoutError`
 * at once. The decorated method returns a Promise.
 *
 * @example
 * @CacheLock('reports:daily', { ttl: '1m' })
 * async buildDailyReport() { ... }
 *
 * @CacheLock((tenant: string) => `import:${tenant}`, { wait: '30s' })
 * async importTenant(tenant: string) { ... }
 */
export function CacheLock(name: CacheLockName, options: CacheLockOptions = {}): MethodDecorator {
  if ((typeof name !== 'string' || name.length === 0) && typeof name !== 'function') {
    throw new CacheArgumentError('@CacheLock needs a lock name: a non-empty string or a function of the arguments');
  }
  return (target, key, descriptor) => {
    checkDecoratorOptions('CacheLock', target, key, options);
    // Checked where it is applied, so an error names `Class.method` (`wait: 0` means one try).
    checkDecoratorTtls('CacheLock', target, key, { ttl: options.ttl, wait: options.wait || undefined });
    return decorateCacheMethod(target, key, descriptor, CACHE_LOCK_METADATA, { ...options, name });
  };
}
