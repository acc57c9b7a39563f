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
