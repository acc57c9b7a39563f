import { ORIGINAL_METHOD } from '../cache-decorators.constants';
import type { CacheMethodMetadata } from './cache-metadata.accessor';
import { defaultMethodKey, resolveKey } from '../keys/cache-key';
import { keyArguments } from '../keys/handler-args';
import type { CacheMethodCarrier } from './cache-trampoline';
import { callOption } from './cache-loader.signals';
import { withMethodLock } from './method-lock';
import {
  cachedCallTarget,
  NOT_STORED,
  PlainResult,
  rememberDecorated,
  runDecorated,
  type DecoratedCallHost,
} from './decorated-call';

/**
 * One call of a decorated provider method: evictions, then `@Cacheable` (through `remember`, so
 * concurrent calls share one run) or the plain call plus `@CachePut`. Always returns a Promise.
 * A cache failure never fails the call: the method runs uncached, and it never runs twice.
 */
export async function invokeProviderMethod(
  host: DecoratedCallHost,
  instance: object,
  method: string,
  carrier: CacheMethodCarrier,
  args: unknown[],
): Promise<unknown> {
  const type = instance.constructor;
  const where = `${type.name}.${method}`;
  const meta = host.metadata.get(type, carrier);
  const original = carrier[ORIGINAL_METHOD];
  const call = (): Promise<unknown> => {
    const result = original.apply(instance, args);
    if (!isThenable(result)) {
      host.warnOnce(
        `plain:${where}`,
        `${where} returns a plain value; with cache decorators it returns a Promise of it. Declare it async.`,
      );
    }
    return Promise.resolve(result);
  };

  const keyArgs = () => keyArguments(type, method, carrier, args);
  const cached = meta.cacheable && (() => cachedCall(host, meta, type.name, method, args, keyArgs, call));
  const run = () => runDecorated(host, meta, args, args, where, call, cached);
  return meta.lock ? withMethodLock(host, meta.lock, args, run) : run();
}

async function cachedCall(
  host: DecoratedCallHost,
  meta: CacheMethodMetadata,
  className: string,
  method: string,
  args: unknown[],
  keyArgs: () => readonly unknown[],
  call: () => Promise<unknown>,
): Promise<unknown> {
  const options = meta.cacheable!;
  const where = `${className}.${method}`;
  const target = cachedCallTarget(
    host,
    where,
    options,
    meta,
    args,
    () => args,
    () => (options.key ? resolveKey(options.key, args, args) : defaultMethodKey(className, method, keyArgs())),
  );
  if (target === undefined) return call();
  const { key, cache } = target;
  const result = await rememberDecorated(
    host,
    where,
    (loader) => cache.remember(key, options.ttl, loader, { staleTtl: options.staleTtl, lock: options.lock }),
    call,
    // `unless` said no: the value is returned (to concurrent callers too) but not stored.
    (value) =>
      value !== undefined && options.unless && callOption(options.unless, [value, ...args]) ? NOT_STORED : value,
    true,
  );
  return result instanceof PlainResult ? result.value : result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
