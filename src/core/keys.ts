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
  return internalKey(namespace, INTERNAL_KEY_KIND.hashed, createHash('sha256').update(escaped).digest('hex'));
}

// ---------------------------------------------------------------------------------------------
// Internal key kinds and channels: every reserved string a store or a process sees, in one place.
// These are shared by every process on a backend (and by older versions of this package still
// running during a rollout): their bytes are pinned by test/core/internal-keys.spec.ts and must
// never change.
// ---------------------------------------------------------------------------------------------

/** The kinds of internal records, as the letter after the NUL: `<ns>:\0<kind>:<id>`. */
export const INTERNAL_KEY_KIND = {
  /** A tag's current version (`tags([...]).flush()` deletes it). */
  tagVersion: 't',
  /** A cross-process lease taken by `remember(..., { lock: true })`. */
  lock: 'l',
  /** A user key too long to keep as it is (over {@link MAX_KEY_BYTES}), as its SHA-256. */
  hashed: 'h',
  /** The reserved key read to probe a store that has no `ping`. */
  ping: 'p',
  /** A rate-limit record of `nestjs-cachekit/throttler` (`<ns>:\0r:<throttler name>:<key>`). */
  rateLimit: 'r',
} as const;

/** One of {@link INTERNAL_KEY_KIND}'s letters. */
export type InternalKeyKind = (typeof INTERNAL_KEY_KIND)[keyof typeof INTERNAL_KEY_KIND];

/** The key under which an internal record of `kind` is kept: `<ns>:\0<kind>:<id>` (`\0<kind>:<id>` without namespace). */
export function internalKey(namespace: string, kind: InternalKeyKind, id: string): string {
  const body = `${INTERNAL}${kind}:${id}`;
  return namespace ? `${namespace}:${body}` : body;
}

/** What every tag version key holds right after its namespace. */
const TAG_VERSION_MARK = `${INTERNAL}${INTERNAL_KEY_KIND.tagVersion}:`;

/**
 * Whether a store key may be a tag's version key (`<ns>:\0t:<id>`, hashed or not). A user key
 * with `\0t:` inside answers true as well: callers treat a false positive as a version change.
 */
export function mayBeTagVersionKey(key: string): boolean {
  return key.includes(TAG_VERSION_MARK);
}

/** The lease key guarding `key` (the user's key, without namespace): `<ns>:\0l:<key>`. */
export function lockKey(namespace: string, key: string): string {
  return internalKey(namespace, INTERNAL_KEY_KIND.lock, key);
}

/**
 * The namespaced key a lease guards (`<ns>:\0l:<key>` → `<ns>:<key>`), or undefined when
 * `leaseKey` is not one of this namespace's lease keys. Stores announce that key on release.
 */
export function lockedKeyOf(namespace: string, leaseKey: string): string | undefined {
  const prefix = lockKey(namespace, '');
  if (!leaseKey.startsWith(prefix)) return undefined;
  const key = leaseKey.slice(prefix.length);
  return namespace ? `${namespace}:${key}` : key;
}

/** The reserved key read to probe a store that has no `ping`: `<ns>:\0p:ping`. */
export function pingKey(namespace: string): string {
  return internalKey(namespace, INTERNAL_KEY_KIND.ping, 'ping');
}

/**
 * The pub/sub channel on which a store announces changed keys, waking `waitForChange` callers
 * in every process: `<ns>:\0changed` (with the `:` even when the namespace is empty).
 */
export function changeChannel(namespace: string): string {
  return `${namespace}:${INTERNAL}changed`;
}

/**
 * The pub/sub channel of a two-tier store's invalidations, so apps (prefixes) sharing a Redis
 * never hear each other: `<ns>:\0bus` (with the `:` even when the namespace is empty).
 */
export function busChannel(namespace: string): string {
  return `${namespace}:${INTERNAL}bus`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
