import { CacheConfigError, CacheSerializationError } from './cache.errors';
import type { CacheStore, StoreEntry } from './store.types';
import type { StoreDefinition } from './cache-manager';
import { defaultSerializer } from './serializer';

/** The store methods that write a caller's value. */
const WRITERS = new Set<PropertyKey>(['set', 'setSync', 'add', 'setMany', 'setManySync']);

/**
 * Size of a value as the default serializer writes it, in UTF-8 bytes. Stores that keep
 * objects (memory) or use their own serializer are measured the same way, so one limit means
 * the same thing everywhere.
 */
export function valueBytes(value: unknown, key?: string): number {
  return Buffer.byteLength(defaultSerializer.serialize(value, key));
}

/** Throws a {@link CacheSerializationError} naming `key` when `value` is over `maxBytes`. */
export function checkValueSize(key: string, value: unknown, maxBytes: number): void {
  const size = valueBytes(value, key);
  if (size > maxBytes) {
    throw new CacheSerializationError(
      `Value for key ${JSON.stringify(key)} is ${size} bytes, over maxValueBytes (${maxBytes}); nothing was written`,
      key,
    );
  }
}

/**
 * Validates a `maxValueBytes` option (a positive integer) and returns it.
 * @throws CacheConfigError naming `stores.<name>.maxValueBytes`
 */
export function parseMaxValueBytes(input: unknown, store: string): number {
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input <= 0) {
    throw new CacheConfigError(
      `stores.${store}.maxValueBytes must be a positive integer number of bytes, got ${String(input)}`,
      store,
      'maxValueBytes',
    );
  }
  return input;
}

/**
 * Wraps a store so that writes of values larger than `maxBytes` (serialized) are refused with
 * a {@link CacheSerializationError} before the store is touched: the stored data is unchanged.
 * Every other member is the store's own (same `this`), so optional methods stay optional.
 *
 * A Proxy rather than a wrapper class: `instanceof` (the tiered store's bus detection) and the
 * store's own extra members (reached through `cache.driver`) keep working. The bound or checked
 * function of each member is made once and reused while the member is the same function, so a
 * read through the proxy allocates nothing (the cache reads `getSync` on every `get`).
 */
export function withValueLimit(store: CacheStore, maxBytes: number): CacheStore {
  const made = new Map<PropertyKey, { member: (...args: unknown[]) => unknown; fn: unknown }>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof member !== 'function') return member;
      const known = made.get(prop);
      if (known !== undefined && known.member === member) return known.fn;
      const fn = WRITERS.has(prop)
        ? (...args: unknown[]) => {
            // The whole call is checked first, so one oversized entry of setMany writes nothing.
            if (prop === 'setMany' || prop === 'setManySync')
              for (const e of args[0] as StoreEntry[]) checkValueSize(e.key, e.value, maxBytes);
            else checkValueSize(args[0] as string, args[1], maxBytes);
            return (member as (...a: unknown[]) => unknown).apply(target, args);
          }
        : (member as (...a: unknown[]) => unknown).bind(target);
      made.set(prop, { member: member as (...args: unknown[]) => unknown, fn });
      return fn;
    },
  });
}

/**
 * Applies a store's `maxValueBytes` option to its definition (no-op when it is not set).
 * @throws CacheConfigError naming `stores.<name>.maxValueBytes` for an invalid limit
 */
export function limitValues(def: StoreDefinition, maxValueBytes: unknown, store: string): StoreDefinition {
  if (maxValueBytes === undefined) return def;
  const max = parseMaxValueBytes(maxValueBytes, store);
  return { ...def, factory: (ctx) => withValueLimit(def.factory(ctx), max) };
}
