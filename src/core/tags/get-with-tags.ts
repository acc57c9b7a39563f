// The `getWithTags` store hook for stores whose `getMany` takes one round trip (Redis MGET,
// one Postgres query): the entry and the tag versions in one batch.
import { UnreadableEntry } from '../store-access/unreadable-entry';

/** The batch of a tagged read: `[key, ...tagKeys]`, built without spreading (a hot path). */
export function entryAndTagKeys(key: string, tagKeys: readonly string[]): string[] {
  const keys = new Array<string>(tagKeys.length + 1);
  keys[0] = key;
  for (let i = 0; i < tagKeys.length; i++) keys[i + 1] = tagKeys[i];
  return keys;
}

/**
 * `getWithTags(key, tagKeys)` through a store's `getMany`: one batch of `[key, ...tagKeys]`.
 * An unreadable value rejects as `get` would; an unreadable version stays an
 * {@link UnreadableEntry} in its place (not a string: the core reads it as a flushed tag).
 *
 * @example getWithTags(key, tagKeys) { return getWithTagsByGetMany((ks) => this.getMany(ks), key, tagKeys); }
 */
export async function getWithTagsByGetMany(
  getMany: (keys: readonly string[]) => Promise<unknown[]>,
  key: string,
  tagKeys: readonly string[],
): Promise<unknown[]> {
  const found = await getMany(entryAndTagKeys(key, tagKeys));
  const value = found[0];
  if (value instanceof UnreadableEntry) throw value.error;
  return found;
}
