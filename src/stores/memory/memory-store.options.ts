import { optionKeys, storeOptionChecks } from '../../core/option-checks';

/** Options of `driver: 'memory'`. */
export interface MemoryStoreOptions {
  /**
   * Most entries kept; the least recently used is evicted beyond it.
   * @default 10000
   */
  maxEntries?: number;
  /** Most bytes kept (estimated from the values); least recently used evicted beyond it. */
  maxBytes?: number;
  /**
   * Copy values on write and on read, so a cached value cannot be changed through the object
   * given to `set` or returned by `get`. Turn off only if callers never mutate cached values.
   * @default true
   */
  clone?: boolean;
  /**
   * How often expired entries are swept out, in ms, so memory does not grow with dead keys.
   * @default 60000
   */
  pruneInterval?: number;
}

/** The defaults of {@link MemoryStoreOptions}, written once. */
export const MEMORY_STORE_DEFAULTS = { maxEntries: 10_000, clone: true, pruneInterval: 60_000 } as const;

/** Every key of {@link MemoryStoreOptions} (the unknown-key check; complete by type). */
export const MEMORY_STORE_KEYS = optionKeys<MemoryStoreOptions>()(['maxEntries', 'maxBytes', 'clone', 'pruneInterval']);

/** The validated options with their defaults. */
export interface ResolvedMemoryStoreOptions {
  maxEntries: number;
  maxBytes: number | undefined;
  clone: boolean;
  pruneInterval: number;
}

/** Validates and completes the options of store `store`; a bad one fails naming the field. */
export function resolveMemoryStoreOptions(options: MemoryStoreOptions, store: string): ResolvedMemoryStoreOptions {
  const check = storeOptionChecks(store);
  return {
    maxEntries: check.positiveInt('maxEntries', options.maxEntries, MEMORY_STORE_DEFAULTS.maxEntries),
    maxBytes: check.positiveInt('maxBytes', options.maxBytes, undefined),
    clone: check.boolean('clone', options.clone, MEMORY_STORE_DEFAULTS.clone),
    pruneInterval: check.ms('pruneInterval', options.pruneInterval, MEMORY_STORE_DEFAULTS.pruneInterval),
  };
}
