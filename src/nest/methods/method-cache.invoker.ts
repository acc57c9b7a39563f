import { ORIGINAL_METHOD } from '../cache-decorators.constants';
import type { CacheDecoratorRuntime } from './cache-decorator.runtime';
import type { CacheMethodMetadata } from './cache-metadata.accessor';
import { defaultMethodKey, resolveKey } from '../keys/cache-key';
import type { CacheMethodCarrier } from './cache-trampoline';
import { LoaderFailure, NotCached, callOption } from './cache-loader.signals';

/**
 * One call of a decorated provider method: evictions, then `@Cacheable` (through `remember`, so
 * concurrent calls share one run) or the plain call plus `@CachePut`. Always returns a Promise.
 * A cache failure never fails the call: the method runs uncached, and it never runs twice.
 */
export async function invokeProviderMethod(
  rt: CacheDecoratorRuntime,
  instance: object,
  method: string,
  carrier: CacheMethodCarrier,
  args: unknown[],
): Promise<unknown> {
  const type = instance.constructor;
  const where = `${type.name}.${method}`;
  const meta = rt.metadata.get(type, carrier);
  const original = carrier[ORIGINAL_METHOD];
  const call = (): Promise<unknown> => {
    const result = original.apply(instance, args);
    if (!isThenable(result)) {
      rt.warnOnce(
        `plain:${where}`,
        `${where} returns a plain value; with cache decorators it returns a Promise of it. Declare it async.`,
      );
    }
    return Promise.resolve(result);
  };

  const cached = meta.cacheable && (() => cachedCall(rt, meta, type.name, method, args, call));
  return rt.runDecorated(meta, args, args, where, call, cached);
}

async function cachedCall(
  rt: CacheDecoratorRuntime,
  meta: CacheMethodMetadata,
  className: string,
  method: string,
  args: unknown[],
  call: () => Promise<unknown>,
): Promise<unknown> {
  const options = meta.cacheable!;
  const where = `${className}.${method}`;
  let key: string;
  let cache: ReturnType<CacheDecoratorRuntime['cache']>;
  try {
    if (options.condition && !callOption(options.condition, args)) return call();
    key = options.key ? resolveKey(options.key, args, args) : defaultMethodKey(className, method, args);
    cache = rt.cache(options.store, rt.renderTags(meta.tags, args));
  } catch (err) {
    rt.report(where, 'key', err);
    return call();
  }
  let produced: { value: unknown } | undefined;
  const loader = async (): Promise<unknown> => {
    let value: unknown;
    try {
      value = await call();
    } catch (err) {
      throw new LoaderFailure(err);
    }
    produced = { value };
    if (value !== undefined && options.unless && callOption(options.unless, [value, ...args])) {
      throw new NotCached(value);
    }
    return value;
  };
  try {
    return await cache.remember(key, options.ttl, loader, { staleTtl: options.staleTtl, lock: options.lock });
  } catch (err) {
    if (err instanceof LoaderFailure) throw err.cause;
    // `unless` said no: the value is returned (to concurrent callers too) but not stored.
    if (err instanceof NotCached) return err.value;
    rt.report(where, 'remember', err);
    // This call's own run already happened (the store failed afterwards): do not run it twice.
    return produced ? produced.value : call();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
