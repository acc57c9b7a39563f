import { Reflector } from '@nestjs/core';
import {
  CACHEABLE_METADATA,
  CACHE_EVICT_METADATA,
  CACHE_PUT_METADATA,
  CACHE_LOCK_METADATA,
  CACHE_TAGS_METADATA,
} from '../cache-decorators.constants';
import type { MethodLock } from '../interfaces/cache-lock-options.interface';
import type { CacheEvictOptions } from '../interfaces/cache-evict-options.interface';
import type { CachePutOptions } from '../interfaces/cache-put-options.interface';
import type { CacheableOptions } from '../interfaces/cacheable-options.interface';

/** Everything the decorators say about one method, class-level defaults merged in. */
export interface CacheMethodMetadata {
  cacheable?: CacheableOptions;
  put?: CachePutOptions;
  evict?: CacheEvictOptions;
  tags?: string[];
  lock?: MethodLock;
}

type Handler = (...args: never[]) => unknown;

/**
 * Reads the decorators' metadata for a (class, handler) pair, once: results are memoised per
 * handler function and class.
 */
export class CacheMetadataAccessor {
  private readonly reflector = new Reflector();
  private readonly memo = new WeakMap<Handler, WeakMap<object, CacheMethodMetadata>>();

  get(type: object, handler: Handler): CacheMethodMetadata {
    let perClass = this.memo.get(handler);
    if (!perClass) this.memo.set(handler, (perClass = new WeakMap()));
    let meta = perClass.get(type);
    if (!meta) perClass.set(type, (meta = this.read(type as new () => unknown, handler)));
    return meta;
  }

  private read(type: new () => unknown, handler: Handler): CacheMethodMetadata {
    const meta: CacheMethodMetadata = {};
    const own = this.reflector.get<CacheableOptions | undefined>(CACHEABLE_METADATA, handler);
    if (own) {
      // Class-level @Cacheable gives defaults; the method's own options win field by field.
      const defaults = this.reflector.get<CacheableOptions | undefined>(CACHEABLE_METADATA, type);
      meta.cacheable = { ...defaults, ...definedOnly(own) };
    }
    const put = this.reflector.get<CachePutOptions | undefined>(CACHE_PUT_METADATA, handler);
    if (put) meta.put = put;
    const evict = this.reflector.get<CacheEvictOptions | undefined>(CACHE_EVICT_METADATA, handler);
    if (evict) meta.evict = evict;
    const tags = this.reflector.getAllAndOverride<string[] | undefined>(CACHE_TAGS_METADATA, [handler, type]);
    if (tags) meta.tags = tags;
    const lock = this.reflector.get<MethodLock | undefined>(CACHE_LOCK_METADATA, handler);
    if (lock) meta.lock = lock;
    return meta;
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
