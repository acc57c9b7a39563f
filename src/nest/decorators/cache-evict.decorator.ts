import { CACHE_EVICT_METADATA } from '../cache-decorators.constants';
import { decorateCacheMethod } from './decorate-cache-method';
import type { CacheKeyOption } from '../keys/cache-key';

/** Options of `@CacheEvict`. */
export interface CacheEvictOptions {
  /**
   * Keys to delete: templates (`'user:{0}'`, `'user:{params.id}'`) or functions of the arguments.
   * @default []
   */
  keys?: CacheKeyOption[];
  /**
   * Tags to flush (templates allowed): every entry carrying one of them is removed.
   * @default []
   * @example tags: ['users', 'user:{0}']
   */
  tags?: string[];
  /**
   * Clear the whole store (this app's prefix only).
   * @default false
   */
  allEntries?: boolean;
  /**
   * Evict before the method runs (and so even if it fails). Otherwise eviction happens after it
   * succeeds, and a method that throws evicts nothing.
   * @default false
   */
  beforeInvocation?: boolean;
  /**
   * Named store to evict from.
   * @default the default store
   */
  store?: string;
}

/**
 * Evicts keys, tags or the whole store when the method succeeds (or before it runs, with
 * `beforeInvocation`). Works on provider methods and on controller handlers of any HTTP method.
 *
 * @example
 * @Put(':id')
 * @CacheEvict({ tags: ['user:{params.id}'] })
 * update(@Param('id') id: string, @Body() dto: UpdateUser) { ... }
 */
export function CacheEvict(options: CacheEvictOptions): MethodDecorator {
  return (target, key, descriptor) => decorateCacheMethod(target, key, descriptor, CACHE_EVICT_METADATA, options);
}
