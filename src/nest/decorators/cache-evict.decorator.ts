import { CACHE_EVICT_METADATA } from '../cache-decorators.constants';
import { checkDecoratorOptions } from './decorator-options';
import { decorateCacheMethod } from './decorate-cache-method';
import { checkDecoratorTags } from './decorator-tags';
import type { CacheEvictOptions } from '../interfaces/cache-evict-options.interface';

export type { CacheEvictOptions } from '../interfaces/cache-evict-options.interface';

/**
 * Evicts keys, tags or the whole store when the method succeeds (or before it runs, with
 * `beforeInvocation`). Works on provider methods and on controller handlers of any HTTP method.
 * Static tags are checked where the decorator is applied (a `CacheArgumentError` naming the
 * method); tags with templates when they are rendered, at the call.
 *
 * @example
 * @Put(':id')
 * @CacheEvict({ tags: ['user:{params.id}'] })
 * update(@Param('id') id: string, @Body() dto: UpdateUser) { ... }
 */
export function CacheEvict(options: CacheEvictOptions): MethodDecorator {
  return (target, key, descriptor) => {
    checkDecoratorOptions('CacheEvict', target, key, options);
    checkDecoratorTags('CacheEvict', target, key, options?.tags);
    decorateCacheMethod(target, key, descriptor, CACHE_EVICT_METADATA, options);
  };
}
