import { Logger } from '@nestjs/common';
import { processShared } from '../../core/process-shared';
import { ORIGINAL_METHOD } from '../cache-decorators.constants';

/** What a bound instance defers its decorated methods to. */
export interface CacheMethodBinding {
  /** Runs one call of a decorated method with this app's caches. */
  invoke(instance: object, method: string, carrier: CacheMethodCarrier, args: unknown[]): unknown;
}

/** A trampoline: carries the decorators' metadata and remembers the original method. */
export type CacheMethodCarrier = ((...args: unknown[]) => unknown) & {
  [ORIGINAL_METHOD]: (...args: unknown[]) => unknown;
};

/**
 * Instance → binding of the app that created it. Keyed by instance, never by class, so two Nest
 * apps in one process (each with its own CacheManager) never share a cache through a class.
 * Shared by the ESM and CommonJS builds: a method decorated through one build is bound by the
 * module of the other.
 */
const bindings = processShared('method-bindings', () => new WeakMap<object, CacheMethodBinding>());
const warned = processShared('unbound-warnings', () => new Set<string>());
const logger = new Logger('CacheDecorators');

/** Binds an instance to its app's runtime; returns the binding it replaced, if any. */
export function bindInstance(instance: object, binding: CacheMethodBinding): CacheMethodBinding | undefined {
  const previous = bindings.get(instance);
  bindings.set(instance, binding);
  return previous;
}

/** Removes an instance's binding if it is still `binding` (application shutdown). */
export function unbindInstance(instance: object, binding: CacheMethodBinding): void {
  if (bindings.get(instance) === binding) bindings.delete(instance);
}

/** Whether `fn` is a trampoline installed by one of the cache decorators. */
export function isCacheMethod(fn: unknown): fn is CacheMethodCarrier {
  return typeof fn === 'function' && ORIGINAL_METHOD in fn;
}

/**
 * Replaces the method with a trampoline, at decoration time: Nest 12 registers routes before
 * `onModuleInit`, so the function Nest captures for a route must already be the final one. The
 * trampoline defers to the instance's binding (set by the explorer at init) and, without one,
 * runs the original method uncached with a one-time warning. Metadata that decorators applied
 * earlier put on the original (`@Get`, `@UseGuards`...) is copied over.
 */
export function installTrampoline(
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
): CacheMethodCarrier {
  const current: unknown = descriptor.value;
  if (isCacheMethod(current)) return current;
  if (typeof current !== 'function') {
    throw new TypeError(`Cache decorators apply to methods; ${describe(target, key)} is not a method`);
  }
  const original = current as (...args: unknown[]) => unknown;
  const method = String(key);
  const trampoline = function (this: object, ...args: unknown[]): unknown {
    const binding = this === null || this === undefined ? undefined : bindings.get(this);
    if (binding) return binding.invoke(this, method, carrier, args);
    warnUnbound(this, method);
    return original.apply(this, args);
  };
  const carrier = trampoline as CacheMethodCarrier;
  Object.defineProperty(carrier, ORIGINAL_METHOD, { value: original });
  Object.defineProperty(carrier, 'name', { value: original.name, configurable: true });
  for (const metaKey of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(metaKey, Reflect.getOwnMetadata(metaKey, original), carrier);
  }
  descriptor.value = carrier;
  return carrier;
}

function warnUnbound(instance: unknown, method: string): void {
  const className = (instance as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'anonymous';
  const id = `${className}.${method}`;
  if (warned.has(id)) return;
  warned.add(id);
  logger.warn(
    `${id} ran uncached: this instance is not bound to a CacheModule (created with "new", request-scoped, ` +
      `or its app does not import CacheModule). Further calls stay uncached without a warning.`,
  );
}

function describe(target: object, key: string | symbol): string {
  const name = typeof target === 'function' ? target.name : target.constructor.name;
  return `${name}.${String(key)}`;
}
