import { CacheArgumentError, CacheSerializationError, CacheUnsupportedError } from './cache.errors';

export function checkValue(key: string, value: unknown): void {
  if (value === undefined) {
    throw new CacheArgumentError(
      `Cannot cache undefined for key ${JSON.stringify(key)}; use delete() to remove a key, or cache null`,
    );
  }
}

export function toPairs(
  entries: Record<string, unknown> | Iterable<readonly [string, unknown]>,
): (readonly [string, unknown])[] {
  if (entries === null || typeof entries !== 'object') {
    throw new CacheArgumentError('setMany(entries): expected an object, a Map or an array of [key, value] pairs');
  }
  if (Symbol.iterator in entries) return [...(entries as Iterable<readonly [string, unknown]>)];
  return Object.entries(entries);
}

/** Errors that are the caller's fault pass through fail-open handling untouched. */
export function isCallerError(err: unknown, op: string): boolean {
  if (err instanceof CacheArgumentError || err instanceof CacheUnsupportedError) return true;
  // A value that cannot be stored is the caller's error; a stored value that cannot be read is a miss.
  return err instanceof CacheSerializationError && op !== 'get' && op !== 'getMany' && op !== 'tags';
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
