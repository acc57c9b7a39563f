import { CACHE_PUT_METADATA } from '../cache-decorators.constants';
import { checkDecoratorOptions } from './decorator-options';
import { decorateCacheMethod } from './decorate-cache-method';
import { checkDecoratorTtls } from './decorator-ttls';
import type { CachePutOptions } from '../interfaces/cache-put-options.interface';

export type { CachePutOptions } from '../interfaces/cache-put-options.interface';

/**
 * Always runs the method and stores its result under `key` (with the method's `@CacheTags`),
 * so a later `@Cacheable` read with the same key sees it. On a controller the handler's return
 * value (not the HTTP response) is stored.
 *
 * @example
 * @CachePut({ key: 'user:{0.id}' })
 * save(user: User): Promise<User> { ... }
 */
export function CachePut(options: CachePutOptions): MethodDecorator {
  return (target, key, descriptor) => {
    checkDecoratorOptions('CachePut', target, key, options);
    checkDecoratorTtls('CachePut', target, key, { ttl: options.ttl });
    decorateCacheMethod(target, key, descriptor, CACHE_PUT_METADATA, options);
  };
}
