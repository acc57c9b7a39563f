// A store's `maxValueBytes`: checked by the cache's own writes (the Promise and the synchronous
// API, remember's write of a loaded value), just before the store call, on what is written (the
// entry as stored, envelope included). Reads never see it: the store is the store itself.
import { CacheSerializationError } from './cache.errors';
import { OptionChecks } from './option-checks';
import { defaultSerializer } from './serializer';

/**
 * Size of a value as the default serializer writes it, in UTF-8 bytes. Stores that keep
 * objects (memory) or use their own serializer are measured the same way, so one limit means
 * the same thing everywhere.
 */
export function valueBytes(value: unknown, key?: string): number {
  return Buffer.byteLength(defaultSerializer.serialize(value, key));
}

/** Throws a {@link CacheSerializationError} naming `key` (the caller's) when `value` is over `maxBytes`. */
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
 * Validates a `maxValueBytes` option (a positive number of bytes or a size such as `'64kb'`) and
 * returns it in bytes.
 * @throws CacheConfigError naming `stores.<name>.maxValueBytes`
 */
export function parseMaxValueBytes(input: unknown, store: string): number {
  return new OptionChecks(store).bytes('maxValueBytes', input, undefined) ?? 0;
}
