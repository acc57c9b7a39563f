import type { Ttl } from '../../core/ttl';
import type { CacheKeyOption } from '../keys/cache-key';

/** Options of `@Cacheable`. On a class they are defaults that each method's own options override. */
export interface CacheableOptions {
  /**
   * Key template or function. Providers: `'user:{0}'`, `'user:{0.id}'` (arguments by position),
   * or `(...args) => string`. Controllers: `'{params.id}'`, `'{query.page}'`, `'{user.id}'`,
   * `'{headers.x-tenant}'`, or `(request, context) => string`.
   * @default providers `ClassName.method:<stable hash of args>`; controllers
   *   `http:GET:<normalised path>?<query sorted by name>`
   * @example @Cacheable({ key: 'user:{0}', ttl: '10m' })
   */
  key?: CacheKeyOption;
  /**
   * Time to live: seconds or a duration string.
   * @default the store's (or module's) default TTL
   */
  ttl?: Ttl;
  /**
   * Named store to cache in.
   * @default the default store
   */
  store?: string;
  /**
   * Serve the value this long after `ttl` while one background refresh runs (stale-while-revalidate).
   * @default none
   */
  staleTtl?: Ttl;
  /**
   * Cross-process lock around the method on a miss (see `remember`).
   * @default the store's `lock` setting
   */
  lock?: boolean;
  /**
   * Checked before the call; `false` bypasses the cache. Receives the arguments (providers) or
   * `(request, context)` (controllers).
   * @example condition: (id: number) => id > 0
   */
  condition?: (...args: never[]) => boolean;
  /**
   * Checked on the result; `true` returns it without caching. Receives `(result, ...args)` or
   * `(body, request)` on controllers.
   * @example unless: (user: User | null) => user === null
   */
  unless?: (result: never, ...args: never[]) => boolean;
  /**
   * Controllers only: request headers that select the cached response (like HTTP `Vary`). A
   * request carrying `Authorization` or `Cookie` is only cached when they are listed here or the
   * route has its own `key`. Values are hashed into the key, never stored in clear.
   * @default []
   * @example vary: ['authorization', 'accept-language']
   */
  vary?: string[];
}
