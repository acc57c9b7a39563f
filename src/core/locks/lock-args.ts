// Argument checks shared by locks and funnels: each names the lock or funnel and the argument.
import { CacheArgumentError } from '../cache.errors';
import { unknownOption } from '../option-checks';

/** `fn` of `get`/`block`/`run`, checked before anything is acquired. */
export function checkRunFn(fn: unknown, where: string): void {
  if (typeof fn !== 'function') {
    throw new CacheArgumentError(`${where}: fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  }
}

/** An options object (omitted: fine): not an object, or a key that is not known (with the closest one), is refused. */
export function checkOptionKeys(options: unknown, known: readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new CacheArgumentError(
      `${where}: options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const unknown = unknownOption(options, known, where);
  if (unknown) throw new CacheArgumentError(unknown.message);
}

/** `restoreLock(name, owner)`: without an owner a new token would be drawn, a lock that releases nothing. */
export function checkRestoredOwner(name: string, owner: unknown): void {
  if (owner === undefined) {
    throw new CacheArgumentError(
      `restoreLock(${JSON.stringify(name)}, owner): owner is required, the token of the lock to restore (lock.owner where it was taken)`,
    );
  }
}
