import { SetMetadata } from '@nestjs/common';
import { checkTagName } from '../../core/cache-args';
import { CacheArgumentError } from '../../core/cache.errors';
import { CACHE_TAGS_METADATA } from '../cache-decorators.constants';

/**
 * Tags for what `@Cacheable` or `@CachePut` stores on this method (or, on a class, on every
 * method of the class that has none of its own). Templates as in keys: `'user:{0}'` on providers,
 * `'user:{params.id}'` on controllers. Flush them with `@CacheEvict({ tags })` or
 * `cache.tags([...]).flush()`.
 *
 * @example @CacheTags(['users', 'user:{0}'])
 */
export function CacheTags(tags: string[]): ClassDecorator & MethodDecorator {
  if (!Array.isArray(tags) || tags.length === 0 || tags.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new CacheArgumentError('@CacheTags(tags) needs a non-empty array of non-empty strings');
  }
  // At decoration, not at every call (where it would only be reported and the call run uncached).
  for (const t of tags) checkTagName(t);
  return SetMetadata(CACHE_TAGS_METADATA, [...tags]);
}
