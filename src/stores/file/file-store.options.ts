import type { ByteSize } from '../../core/byte-size';
import { optionKeys, storeOptionChecks } from '../../core/option-checks';
import {
  PIPELINE_OPTION_KEYS,
  resolveStorePipeline,
  type StorePipeline,
  type ValuePipelineOptions,
} from '../../core/pipeline';
import type { CacheSerializer } from '../../core/serializer';
import type { MsOrDuration } from '../../core/ttl';

/** Options of `driver: 'file'`. */
export interface FileStoreOptions extends ValuePipelineOptions {
  /**
   * Where entries are kept; created (mode 0700) if missing. Several processes may share it, and
   * caches with different prefixes may share it: each only sees and clears its own files.
   * @example '.cache'
   */
  directory: string;
  /** Most entries kept; beyond it the least recently written are evicted by the next sweep. */
  maxEntries?: number;
  /** Most bytes of entry files kept; beyond it the least recently written are evicted. */
  maxBytes?: ByteSize;
  /**
   * How often a background sweep removes expired files and enforces the limits; 0 turns it
   * off (call `prune()` yourself). number: milliseconds; string: a duration such as '2s'.
   * @default 60000
   * @example pruneInterval: '5m'
   */
  pruneInterval?: MsOrDuration;
  /**
   * How long (ms) a process may hold the per-key lock of `increment`/`add`/`touch` before others
   * presume it crashed. Locks of a dead process on the same host are broken at once.
   * @default 10000
   */
  lockStaleMs?: number;
  /** Turns values into text. @default defaultSerializer */
  serializer?: CacheSerializer;
}

/** The defaults of {@link FileStoreOptions}, written once. */
export const FILE_STORE_DEFAULTS = { pruneInterval: 60_000, lockStaleMs: 10_000 } as const;

/** Every key of {@link FileStoreOptions} (the unknown-key check; complete by type). */
export const FILE_STORE_KEYS = optionKeys<FileStoreOptions>()([
  'directory',
  'maxEntries',
  'maxBytes',
  'pruneInterval',
  'lockStaleMs',
  'serializer',
  ...PIPELINE_OPTION_KEYS,
]);

/** The validated options with their defaults. */
export interface ResolvedFileStoreOptions {
  directory: string;
  maxEntries: number | undefined;
  maxBytes: number | undefined;
  /** ms; 0: no timer */
  pruneInterval: number;
  lockStaleMs: number;
  /** The values' serializer (with `compress`/`encrypt`) and `hashKeys`. */
  pipeline: StorePipeline;
}

/** Validates and completes the options at construction, so a bad configuration fails at start-up naming the field. */
export function resolveFileStoreOptions(options: FileStoreOptions, store: string): ResolvedFileStoreOptions {
  const check = storeOptionChecks(store);
  const directory = options?.directory;
  if (typeof directory !== 'string' || directory.length === 0) check.fail('directory', 'a non-empty path', directory);
  return {
    directory,
    maxEntries: check.positiveInt('maxEntries', options.maxEntries, undefined),
    maxBytes: check.bytes('maxBytes', options.maxBytes, undefined),
    pruneInterval: check.msOrDuration('pruneInterval', options.pruneInterval, FILE_STORE_DEFAULTS.pruneInterval, 0),
    lockStaleMs: check.ms('lockStaleMs', options.lockStaleMs, FILE_STORE_DEFAULTS.lockStaleMs, 'positive'),
    pipeline: resolveStorePipeline(options, check),
  };
}
