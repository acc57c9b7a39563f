import { createHash } from 'node:crypto';
import { CacheArgumentError } from './cache.errors';

/** Keys longer than this many UTF-8 bytes (after prefixing) are replaced by a SHA-256 digest. */
export const MAX_KEY_BYTES = 1024;

/**
 * Internal keys (tag versions, locks, hashed keys) start with a NUL right after the namespace.
 * A user key that itself starts with NUL gets one more NUL, so the two can never collide.
 */
const INTERNAL = '\u0000';

/** Joins non-empty prefix parts with `:`. `joinPrefix('shop', undefined, 'v2')` is `'shop:v2'`. */
export function joinPrefix(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(':');
}

/** Throws a CacheArgumentError unless `key` is a non-empty string. */
export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new CacheArgumentError(
      `Invalid cache ${what}: expected a non-empty string, got ${key === '' ? 'an empty string' : describe(key)}`,
    );
  }
  // A lone surrogate has no UTF-8 form: Redis and files would see two such keys as one.
  if (!(key as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new CacheArgumentError(`Invalid cache ${what} ${JSON.stringify(key)}: it contains a lone UTF-16 surrogate`);
  }
}

/**
 * Turns a user key into the key a store sees: `namespace:key`, deterministic SHA-256 for keys
 * over {@link MAX_KEY_BYTES}. Any Unicode, spaces, `/` and `..` are fine.
 *
 * @param key       the user's key (non-empty)
 * @param namespace the joined module and store prefix (may be empty)
 * @example normalizeKey('user:1', 'shop') // 'shop:user:1'
 */
export function normalizeKey(key: string, namespace = ''): string {
  assertKey(key);
  const escaped = key.charCodeAt(0) === 0 ? INTERNAL + key : key;
  // join() builds one flat string; a template literal builds a ConsString (+56 B per held key).
  const full = namespace ? [namespace, escaped].join(':') : escaped;
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no byte count.
  if (full.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(full) <= MAX_KEY_BYTES) return full;
  return internalKey(namespace, 'h', createHash('sha256').update(escaped).digest('hex'));
}

/** The key under which an internal record (`kind` = 't' tag, 'l' lock, 'h' hashed) is kept. */
export function internalKey(namespace: string, kind: string, id: string): string {
  const body = `${INTERNAL}${kind}:${id}`;
  return namespace ? `${namespace}:${body}` : body;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
