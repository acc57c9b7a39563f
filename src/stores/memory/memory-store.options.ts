import type { ByteSize } from '../../core/byte-size';
import { CacheConfigError } from '../../core/cache.errors';
import { closestKey, optionKeys, storeOptionChecks } from '../../core/option-checks';
import type { MsOrDuration } from '../../core/ttl';

/**
 * How a memory store keeps cached values apart from the objects callers hold:
 * - `'clone'`: `set` stores a private deep copy, every `get` returns a new deep copy; callers may
 *   mutate what they get.
 * - `'freeze'`: `set` stores a private deep copy, deep-frozen once; every `get` returns that same
 *   frozen object (no copy per read). Mutating a result throws a `TypeError` in strict mode (ES
 *   modules, classes, TypeScript output) and is ignored in sloppy mode. Values holding a Map,
 *   Set, Date or binary data (which cannot be frozen) are copied on read as with `'clone'`.
 * - `'none'`: the caller's objects themselves are stored and returned (same as `clone: false`).
 */
export type MemoryIsolation = 'clone' | 'freeze' | 'none';

/** Options of `driver: 'memory'`. */
export interface MemoryStoreOptions {
  /**
   * Most entries kept; the least recently used is evicted beyond it.
   * @default 10000
   */
  maxEntries?: number;
  /**
   * Most bytes kept (estimated: key, value and ~32 bytes per entry); least recently used evicted
   * beyond it. A value larger than the whole bound is refused with a `CacheSerializationError`.
   */
  maxBytes?: ByteSize;
  /**
   * How cached values are kept apart from the caller's objects (see {@link MemoryIsolation}).
   * @default 'clone'
   * @example { driver: 'memory', isolation: 'freeze' }
   */
  isolation?: MemoryIsolation;
  /**
   * `false` is `isolation: 'none'`; `true` is the default `'clone'`. Prefer `isolation`.
   * @default true
   */
  clone?: boolean;
  /**
   * How often expired entries are swept out, so memory does not grow with dead keys
   * (`0`: never; call `prune()` yourself). number: milliseconds; string: a duration such as '2s'.
   * @default 60000
   * @example pruneInterval: '30s'
   */
  pruneInterval?: MsOrDuration;
}

/** The defaults of {@link MemoryStoreOptions}, written once. */
export const MEMORY_STORE_DEFAULTS = {
  maxEntries: 10_000,
  isolation: 'clone',
  clone: true,
  pruneInterval: 60_000,
} as const;

/** Every key of {@link MemoryStoreOptions} (the unknown-key check; complete by type). */
export const MEMORY_STORE_KEYS = optionKeys<MemoryStoreOptions>()([
  'maxEntries',
  'maxBytes',
  'isolation',
  'clone',
  'pruneInterval',
]);

const ISOLATIONS: readonly MemoryIsolation[] = ['clone', 'freeze', 'none'];

/** The validated options with their defaults. */
export interface ResolvedMemoryStoreOptions {
  maxEntries: number;
  maxBytes: number | undefined;
  isolation: MemoryIsolation;
  /** ms; 0: no timer */
  pruneInterval: number;
}

/** Validates and completes the options of store `store`; a bad one fails naming the field. */
export function resolveMemoryStoreOptions(options: MemoryStoreOptions, store: string): ResolvedMemoryStoreOptions {
  const check = storeOptionChecks(store);
  const clone = check.boolean('clone', options.clone, undefined);
  return {
    maxEntries: check.positiveInt('maxEntries', options.maxEntries, MEMORY_STORE_DEFAULTS.maxEntries),
    maxBytes: check.bytes('maxBytes', options.maxBytes, undefined),
    isolation: resolveIsolation(store, options.isolation, clone),
    pruneInterval: check.msOrDuration('pruneInterval', options.pruneInterval, MEMORY_STORE_DEFAULTS.pruneInterval, 0),
  };
}

function resolveIsolation(store: string, given: unknown, clone: boolean | undefined): MemoryIsolation {
  const check = storeOptionChecks(store);
  if (given === undefined) return clone === false ? 'none' : MEMORY_STORE_DEFAULTS.isolation;
  if (!ISOLATIONS.includes(given as MemoryIsolation)) {
    const near = typeof given === 'string' ? closestKey(given, ISOLATIONS) : undefined;
    const err = check.error('isolation', `one of ${ISOLATIONS.map((i) => `"${i}"`).join(', ')}`, given);
    if (!near) throw err;
    throw new CacheConfigError(`${err.message}; did you mean "${near}"?`, store, 'isolation');
  }
  const isolation = given as MemoryIsolation;
  // `clone` is the older spelling: it may agree with `isolation`, never contradict it.
  if (clone !== undefined && clone !== (isolation !== 'none')) {
    throw new CacheConfigError(
      `${check.at('clone')} (${String(clone)}) contradicts ${check.at('isolation')} ("${isolation}"); give only isolation`,
      store,
      'clone',
    );
  }
  return isolation;
}
