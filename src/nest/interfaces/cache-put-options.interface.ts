import type { Ttl } from '../../core/ttl';
import type { CacheKeyOption } from '../keys/cache-key';

/** Options of `@CachePut`. */
export interface CachePutOptions {
  /**
   * Key template or function under which the result is stored.
   * @example key: 'user:{0.id}'
   */
  key: CacheKeyOption;
  /**
   * Time to live: seconds or a duration string.
   * @default the store's (or module's) default TTL
   */
  ttl?: Ttl;
  /**
   * Named store to write to.
   * @default the default store
   */
  store?: string;
}
