import { SetMetadata } from '@nestjs/common';
import { CACHEABLE_METADATA } from '../cache-decorators.constants';
import { checkDecoratorOptions } from './decorator-options';
import { decorateCacheMethod } from './decorate-cache-method';
import { checkDecoratorTtls } from './decorator-ttls';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';

export type { CacheableOptions } from '../interfaces/cacheable-options.interface';

/**
 * Caches what a method returns. On a provider method the default key is
 * `ClassName.method:<stable hash of args>` and the method returns a Promise; on a controller
 * GET/HEAD handler the whole HTTP response (status, body, headers) is cached by route and query.
 * On a class: defaults for the class's `@Cacheable` methods.
 *
 * @example
 * @Cacheable({ key: 'user:{0}', ttl: '10m' })
 * @CacheTags(['users', 'user:{0}'])
 * findUser(id: number): Promise<User> { ... }
 */
export function Cacheable(options: CacheableOptions = {}): ClassDecorator & MethodDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    checkDecoratorOptions('Cacheable', target, key, options);
    checkDecoratorTtls('Cacheable', target, key, { ttl: options.ttl, staleTtl: options.staleTtl });
    if (key === undefined || descriptor === undefined) {
      SetMetadata(CACHEABLE_METADATA, options)(target as () => void);
      return;
    }
    decorateCacheMethod(target, key, descriptor, CACHEABLE_METADATA, options);
  };
}
