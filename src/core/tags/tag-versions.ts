// A tag's current version lives in the store under its own key; a tagged entry carries the
// versions it was written with. Flushing a tag deletes its version key, so every entry written
// under that version reads as invalid, in every process: O(1) per tag, whatever the entry count.
import { createHash, randomBytes } from 'node:crypto';
import { isEnvelope, type Envelope } from '../envelope';
import { INTERNAL_KEY_KIND, internalKey } from '../keys';
import type { CacheStore } from '../store.types';

/** The store key of a tag's version (long tag names are hashed). */
export function tagVersionKey(ns: string, tag: string): string {
  const id = tag.length > 200 ? createHash('sha256').update(tag).digest('hex') : tag;
  return internalKey(ns, INTERNAL_KEY_KIND.tagVersion, id);
}

/**
 * Current version of each tag, `keys[i]` holding that of `tags[i]`; with `create`, missing tags
 * get a fresh random version (`add`, so concurrent writers in several processes agree on one).
 */
export async function readTagVersions(
  store: CacheStore,
  tags: readonly string[],
  keys: readonly string[],
  create: boolean,
): Promise<Record<string, string>> {
  const found = store.getMany ? await store.getMany(keys) : await Promise.all(keys.map((k) => store.get(k)));
  const out: Record<string, string> = {};
  for (let i = 0; i < tags.length; i++) {
    let version = found[i];
    if (typeof version !== 'string' && create) {
      const fresh = randomBytes(9).toString('base64url');
      if (version === undefined) {
        const added = store.add ? await store.add(keys[i], fresh) : (await store.set(keys[i], fresh), true);
        version = added ? fresh : await store.get(keys[i]);
      }
      // Anything but a string under a version key is a corrupt record (written by someone else
      // with access to the prefix): a writer replaces it, so its entry stays tagged and flushable.
      // Readers (create false) leave the tag out, which reads as invalid: a miss.
      if (typeof version !== 'string') {
        await store.set(keys[i], fresh);
        version = fresh;
      }
    }
    // A plain assignment is safe: tag names pass checkTagName, which refuses "__proto__".
    if (typeof version === 'string') out[tags[i]] = version;
  }
  return out;
}

/**
 * Deletes an entry invalidated by a tag flush, in the background, but only if the stored entry
 * still carries the versions that were judged outdated: another process may have written a
 * fresh value since (the window left is one read-then-delete, not "any time later").
 */
export function reclaimOutdated(store: CacheStore, k: string, outdated: Envelope): void {
  void (async () => {
    const now = await store.get(k);
    if (isEnvelope(now) && sameEnvelope(now, outdated)) await store.delete(k);
  })().catch(() => undefined);
}

/** Same metadata (tag versions, freshness): the same write, as far as invalidation can tell. */
export function sameEnvelope(a: Envelope, b: Envelope): boolean {
  return a.f === b.f && JSON.stringify(a.t) === JSON.stringify(b.t);
}
