// The fail-open/strict policy of the cache: which store failures become a miss (or `false`),
// which surface as CacheUnavailableError, and which are the caller's own errors that pass
// through untouched. Every failure is logged (once per burst), counted and reported.
import type { CacheKeys } from '../cache-keys';
import type { CacheMeter } from '../cache-meter';
import {
  CacheArgumentError,
  CacheSerializationError,
  CacheUnavailableError,
  CacheUnsupportedError,
} from '../cache.errors';
import { describeKeys, errorMessage } from '../format';
import type { CacheOperationName } from '../operation-meter';
import type { BurstLogger } from '../logger';

/** Errors that are the caller's fault pass through fail-open handling untouched. */
export function isCallerError(err: unknown, op: string): boolean {
  if (err instanceof CacheArgumentError || err instanceof CacheUnsupportedError) return true;
  // A value that cannot be stored is the caller's error; a stored value that cannot be read is a miss.
  return err instanceof CacheSerializationError && op !== 'get' && op !== 'getMany' && op !== 'tags';
}

/** The key of one operation, or the keys of a many-key one (`getMany`, `setMany`, `deleteMany`). */
export type GuardedKeys = string | readonly string[];

/**
 * Applies the failure policy around store calls. The hot paths keep their own inline
 * try/catch around the one awaited store call and call only the synchronous
 * {@link readFailed}/{@link writeFailed} from their `catch`; {@link failOpen} and {@link strict}
 * wrap the store call in a closure and serve the other operations.
 */
export class StoreGuard {
  constructor(
    private readonly name: string,
    private readonly log: BurstLogger,
    private readonly meter: CacheMeter,
    private readonly keys: CacheKeys,
  ) {}

  /** A failed store read: the caller's own errors surface, backend failures become a miss. */
  readFailed(op: string, key: GuardedKeys, err: unknown, start?: number): undefined {
    if (isCallerError(err, op)) throw this.withUserKey(err);
    this.report(op, key, err, start);
    return undefined;
  }

  /** A failed store write: caller errors are thrown, store errors logged (`false`). */
  writeFailed(op: string, key: GuardedKeys, err: unknown, start: number): false {
    if (isCallerError(err, op)) throw this.withUserKey(err);
    this.report(op, key, err, start);
    return false;
  }

  /** Runs a store call; on a backend failure logs, counts and returns `fallback`. */
  async failOpen<T, F>(op: string, key: GuardedKeys, fn: () => Promise<T>, fallback: F): Promise<T | F> {
    const start = this.meter.started();
    try {
      return await fn();
    } catch (err) {
      if (isCallerError(err, op)) throw this.withUserKey(err);
      this.report(op, key, err, start);
      return fallback;
    }
  }

  /**
   * Runs a store call; on a backend failure logs, counts and throws CacheUnavailableError. With
   * `measured`, the failure is also the `error` result of that public operation (started at
   * `start`, on `key`) for the operation meter.
   */
  async strict<T>(op: string, fn: () => Promise<T>, measured?: CacheOperationName, start = 0, key = ''): Promise<T> {
    const began = this.meter.started();
    try {
      return await fn();
    } catch (err) {
      if (isCallerError(err, op)) throw this.withUserKey(err);
      this.report(op, key, err, began);
      if (measured !== undefined) this.meter.ended(measured, 'error', start, key);
      throw err instanceof CacheUnavailableError ? err : new CacheUnavailableError(this.name, op, err);
    }
  }

  /**
   * Logs (once per burst), counts and reports a store failure, naming the caller's key. The log
   * line names a list of keys by its first few (`"a", "b", … and 995 more`); the `error` event
   * carries them all, joined by commas, as before.
   */
  report(op: string, key: GuardedKeys, err: unknown, start?: number): void {
    const shown = this.withUserKey(err);
    this.meter.errors++;
    const what = key === '' ? '' : ` (${describeKeys(key)})`;
    this.log.error(`Cache store "${this.name}" failed on ${op}${what}: ${errorMessage(shown)}`);
    this.meter.failed(typeof key === 'string' ? key : key.join(','), shown, start);
  }

  /** Stores see prefixed keys; errors shown to the caller name the caller's key. */
  withUserKey(err: unknown): unknown {
    if (!(err instanceof CacheSerializationError || err instanceof CacheArgumentError)) return err;
    if (!err.key || !this.keys.ns) return err;
    const userKey = this.keys.user(err.key);
    if (userKey === err.key) return err;
    const message = err.message.replace(JSON.stringify(err.key), JSON.stringify(userKey));
    return err instanceof CacheSerializationError
      ? new CacheSerializationError(message, userKey, { cause: err.cause })
      : new CacheArgumentError(message, userKey);
  }
}
