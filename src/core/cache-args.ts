// Checks of the arguments of the public Cache API. Synchronous asserts: nothing is allocated
// when the argument is fine (`checkValue` runs on every `set`, `checkLoader` on every remember).
import { CacheArgumentError } from './cache.errors';
import { assertKey } from './keys';
import { PROTO } from './value-rules';

/** Storing `undefined` is refused: it is what a miss reads as. */
export function checkValue(key: string, value: unknown): void {
  if (value === undefined) {
    throw new CacheArgumentError(
      `Cannot cache undefined for key ${JSON.stringify(key)}; use delete() to remove a key, or cache null`,
    );
  }
}

/** The `keys` argument of `getMany`/`deleteMany`. */
export function checkKeyList(op: string, keys: unknown): void {
  if (!Array.isArray(keys)) throw new CacheArgumentError(`${op}(keys): keys must be an array of strings`);
}

/** The `by` argument of `increment`/`decrement`. */
export function checkStep(op: string, key: string, by: unknown): void {
  if (typeof by !== 'number' || !Number.isFinite(by)) {
    throw new CacheArgumentError(`${op}(${JSON.stringify(key)}): "by" must be a finite number, got ${String(by)}`);
  }
}

/** The `loader` argument of `remember`. */
export function checkLoader(key: string, loader: unknown): void {
  if (typeof loader !== 'function') {
    throw new CacheArgumentError(`remember(${JSON.stringify(key)}): loader must be a function`);
  }
}

/** The entries of `setMany`: an object, a Map or an iterable of pairs. */
export function toPairs(
  entries: Record<string, unknown> | Iterable<readonly [string, unknown]>,
): (readonly [string, unknown])[] {
  if (entries === null || typeof entries !== 'object') {
    throw new CacheArgumentError('setMany(entries): expected an object, a Map or an array of [key, value] pairs');
  }
  if (!(Symbol.iterator in entries)) return Object.entries(entries);
  const pairs = [...(entries as Iterable<readonly [string, unknown]>)];
  for (let i = 0; i < pairs.length; i++) {
    // Checked here: destructuring a non-pair later throws a TypeError of the engine's own words.
    if (!Array.isArray(pairs[i])) {
      const got = pairs[i] === null ? 'null' : typeof pairs[i];
      throw new CacheArgumentError(`setMany(entries): entry ${i} is not a [key, value] pair, got ${got}`);
    }
  }
  return pairs;
}

/**
 * One tag name: a non-empty string, and not "__proto__". An entry keeps its tags in a plain
 * object (stored by every serializer), where that name is the prototype, not a property: the tag
 * would be dropped and its flush would miss the entry. Every other name, "constructor" and
 * "toString" included, is a tag like any other.
 */
export function checkTagName(tag: unknown): asserts tag is string {
  assertKey(tag, 'tag');
  if (tag === PROTO) {
    throw new CacheArgumentError(
      'Invalid cache tag "__proto__": it is the one name JavaScript objects reserve (their prototype), so an entry could not carry it; use another tag name',
    );
  }
}

/** Checks tag names (one or a list, at least one) and drops repeats. */
export function normalizeTags(tags: string | readonly string[]): string[] {
  const list = typeof tags === 'string' ? [tags] : tags;
  if (!Array.isArray(list) || list.length === 0) {
    throw new CacheArgumentError('tags(...) needs at least one tag name');
  }
  for (const t of list) checkTagName(t);
  return [...new Set(list)];
}

/** What a `get` miss answers: `fallback`, or what it produces when it is a function. */
export function fallbackValue<T>(fallback: T | (() => T | Promise<T>) | undefined): T | Promise<T> | undefined {
  return typeof fallback === 'function' ? (fallback as () => T | Promise<T>)() : fallback;
}
