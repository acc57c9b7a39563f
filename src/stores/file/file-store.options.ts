import { CacheConfigError } from '../../core/cache.errors';
import type { CacheSerializer } from '../../core/value-codec';

/** Options of `driver: 'file'`. */
export interface FileStoreOptions {
  /**
   * Where entries are kept; created (mode 0700) if missing. Several processes may share it, and
   * caches with different prefixes may share it: each only sees and clears its own files.
   * @example '.cache'
   */
  directory: string;
  /** Most entries kept; beyond it the least recently written are evicted by the next sweep. */
  maxEntries?: number;
  /** Most bytes of entry files kept; beyond it the least recently written are evicted. */
  maxBytes?: number;
  /**
   * How often (ms) a background sweep removes expired files and enforces the limits; 0 turns it
   * off (call `prune()` yourself).
   * @default 60000
   */
  pruneInterval?: number;
  /**
   * How long (ms) a process may hold the per-key lock of `increment`/`add`/`touch` before others
   * presume it crashed. Locks of a dead process on the same host are broken at once.
   * @default 10000
   */
  lockStaleMs?: number;
  /** Turns values into text. @default defaultSerializer */
  serializer?: CacheSerializer;
}

/** The validated options with their defaults. */
export interface ResolvedFileStoreOptions {
  directory: string;
  pruneInterval: number;
  lockStaleMs: number;
}

/** Checks the options at construction, so a bad configuration fails at start-up naming the field. */
export function validateFileStoreOptions(options: FileStoreOptions, store: string): ResolvedFileStoreOptions {
  const fail = (field: string, what: string, got: unknown): never => {
    throw new CacheConfigError(`stores.${store}.${field} must be ${what}, got ${JSON.stringify(got)}`, store, field);
  };
  const directory = options?.directory;
  if (typeof directory !== 'string' || directory.length === 0) fail('directory', 'a non-empty path', directory);
  for (const field of ['maxEntries', 'maxBytes'] as const) {
    const n = options[field];
    if (n !== undefined && (!Number.isInteger(n) || n <= 0)) fail(field, 'a positive integer', n);
  }
  const pruneInterval = options.pruneInterval ?? 60_000;
  if (typeof pruneInterval !== 'number' || !(pruneInterval >= 0) || !Number.isFinite(pruneInterval)) {
    fail('pruneInterval', 'a number of ms >= 0', pruneInterval);
  }
  const lockStaleMs = options.lockStaleMs ?? 10_000;
  if (typeof lockStaleMs !== 'number' || !(lockStaleMs > 0) || !Number.isFinite(lockStaleMs)) {
    fail('lockStaleMs', 'a number of ms > 0', lockStaleMs);
  }
  return { directory, pruneInterval, lockStaleMs };
}
