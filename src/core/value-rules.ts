// What a cacheable value is, shared by the serializer (core/serializer.ts) and the memory
// store's validating copy (stores/memory/value-copy.ts), so that every store accepts and
// refuses the same values with the same messages.
import { CacheSerializationError } from './cache.errors';

/**
 * The value types every store round-trips: JSON values plus Date, Map, Set, BigInt,
 * Buffer/Uint8Array, `undefined` inside containers, NaN/±Infinity/-0. Class instances are
 * stored as plain objects of their own enumerable properties (as `structuredClone` does).
 * Functions, symbols, Promises, WeakMap/WeakSet, cycles and own `__proto__` keys are refused.
 */

/** An own key that is refused (prototype pollution). */
export const PROTO = '__proto__';

export function refuse(key: string | undefined, why: string): never {
  const where = key === undefined ? 'A value' : `The value for key ${JSON.stringify(key)}`;
  throw new CacheSerializationError(`${where} cannot be cached: ${why}`, key);
}

export function refuseObject(value: object, key: string | undefined): never {
  if (typeof (value as { then?: unknown }).then === 'function') {
    refuse(key, 'it is a Promise (did you forget to await the loader?)');
  }
  if (value instanceof WeakMap || value instanceof WeakSet) refuse(key, `${value.constructor.name} is not cloneable`);
  refuse(key, `unsupported object ${Object.prototype.toString.call(value)}`);
}

export function isPlainOrInstance(value: object): boolean {
  // Plain objects and instances of user classes; not host objects, promises or weak collections.
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Object]' && typeof (value as { then?: unknown }).then !== 'function';
}
